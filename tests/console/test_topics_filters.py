"""Filter policies as SNS evaluates them (no database needed)."""

from __future__ import annotations

import json

import pytest

from console.services.topic_errors import InvalidParameter
from console.services.topic_filters import ATTRIBUTES, BODY, check_policy, matches


def attrs(**values) -> dict:
    shaped = {}
    for name, value in values.items():
        if isinstance(value, list):
            shaped[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, (int, float)):
            shaped[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            shaped[name] = {"DataType": "String", "StringValue": value}
    return shaped


def passes(policy: dict, message: str = "{}", scope: str = ATTRIBUTES, **attributes) -> bool:
    return matches(check_policy(json.dumps(policy), scope), scope, message, attrs(**attributes))


def test_it_matches_exact_strings_and_numbers():
    assert passes({"store": ["example_corp", "other"]}, store="example_corp")
    assert not passes({"store": ["example_corp"]}, store="Example_Corp")
    assert passes({"price": [100]}, price=100)
    assert passes({"price": [100]}, price=100.0)
    assert not passes({"price": [100]}, price="100")


def test_every_key_must_match_and_a_missing_key_never_matches():
    policy = {"store": ["example_corp"], "event": ["order_placed"]}
    assert passes(policy, store="example_corp", event="order_placed")
    assert not passes(policy, store="example_corp")


def test_it_matches_prefix_suffix_and_equals_ignore_case():
    assert passes({"color": [{"prefix": "bl"}]}, color="blue")
    assert not passes({"color": [{"prefix": "bl"}]}, color="red")
    assert passes({"file": [{"suffix": ".png"}]}, file="a.png")
    assert passes({"name": [{"equals-ignore-case": "ALICE"}]}, name="alice")


def test_anything_but_needs_the_key_and_excludes_values_or_prefixes():
    assert passes({"color": [{"anything-but": ["red", "green"]}]}, color="blue")
    assert not passes({"color": [{"anything-but": ["red", "green"]}]}, color="red")
    assert not passes({"color": [{"anything-but": "red"}]})
    assert passes({"color": [{"anything-but": {"prefix": "re"}}]}, color="blue")
    assert not passes({"color": [{"anything-but": {"prefix": "re"}}]}, color="red")
    assert passes({"n": [{"anything-but": [1, 2]}]}, n=3)


def test_numeric_ranges_match_number_attributes_only():
    policy = {"price": [{"numeric": [">", 0, "<=", 150]}]}
    assert passes(policy, price=150)
    assert not passes(policy, price=151)
    assert not passes(policy, price="100")
    assert passes({"price": [{"numeric": ["=", 3.5]}]}, price=3.5)


def test_exists_checks_presence_or_absence():
    assert passes({"store": [{"exists": True}]}, store="x")
    assert not passes({"store": [{"exists": True}]})
    assert passes({"store": [{"exists": False}]})
    assert not passes({"store": [{"exists": False}]}, store="x")


def test_string_arrays_match_when_any_element_matches():
    assert passes({"sports": ["rugby"]}, sports=["soccer", "rugby"])
    assert not passes({"sports": ["chess"]}, sports=["soccer", "rugby"])


def test_or_offers_alternatives():
    policy = {"source": ["aws.cloudwatch"], "$or": [{"metric": ["CPU"]}, {"namespace": ["AWS/EC2"]}]}
    assert passes(policy, source="aws.cloudwatch", namespace="AWS/EC2")
    assert not passes(policy, source="aws.cloudwatch", namespace="other")


def test_message_body_scope_matches_nested_keys_and_arrays():
    message = json.dumps({"order": {"status": "paid", "total": 12.5}, "items": [{"sku": "a"}, {"sku": "b"}]})
    assert passes({"order": {"status": ["paid"]}}, message, BODY)
    assert passes({"order": {"total": [{"numeric": [">", 10]}]}}, message, BODY)
    assert passes({"items": {"sku": ["b"]}}, message, BODY)
    assert not passes({"order": {"status": ["refunded"]}}, message, BODY)
    assert not passes({"order": {"status": ["paid"]}}, "not json", BODY)


def test_binary_attributes_never_match():
    binary = {"blob": {"DataType": "Binary", "BinaryValue": "AAE="}}
    assert not matches(check_policy('{"blob": [{"exists": true}]}'), ATTRIBUTES, "{}", binary)


@pytest.mark.parametrize("text, reason", [
    ("not json", "failed to parse JSON"),
    ('{"a": "b"}', "must be an object or an array"),
    ('{"a": [{"unknown": 1}]}', "Unrecognized match type unknown"),
    ('{"a": [{"numeric": ["~", 1]}]}', "Unrecognized numeric range operator"),
    ('{"a": {"b": ["c"]}}', "must be an object or an array"),
])
def test_it_rejects_malformed_policies_with_sns_wording(text, reason):
    with pytest.raises(InvalidParameter) as raised:
        check_policy(text, ATTRIBUTES)
    assert raised.value.message.startswith("Invalid parameter: FilterPolicy: ")
    assert reason in raised.value.message
