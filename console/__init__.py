"""Stepyard's Django project and app: the console, the AWS APIs and the runtime."""
