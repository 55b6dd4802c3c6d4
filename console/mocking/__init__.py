"""Mocked service integrations in Step Functions Local's format (no Django, no I/O here).

``jsonlines`` parses JSON keeping each member's line, ``responses`` checks and answers one
mocked response by attempt number, ``config`` checks a whole mock configuration file.
"""
