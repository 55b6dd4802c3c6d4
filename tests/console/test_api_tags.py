"""TagResource, UntagResource and ListTagsForResource through real boto3 clients."""

from __future__ import annotations

import json

import pytest

ROLE = "arn:aws:iam::000000000000:role/test"
DEFINITION = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})


@pytest.fixture
def sfn(stepyard_server, sfn_client):
    return sfn_client(stepyard_server)


def _tags(sfn, arn: str) -> dict[str, str]:
    return {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}


def test_it_tags_and_untags_a_state_machine(sfn):
    arn = sfn.create_state_machine(name="TagMachine", definition=DEFINITION, roleArn=ROLE,
                                   tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    assert _tags(sfn, arn) == {"team": "a"}
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "b"},
                                            {"key": "env", "value": ""}])
    assert _tags(sfn, arn) == {"team": "b", "env": ""}
    sfn.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert _tags(sfn, arn) == {"env": ""}


def test_it_tags_an_activity_and_forgets_the_tags_when_it_is_deleted(sfn):
    arn = sfn.create_activity(name="TagActivity", tags=[{"key": "k", "value": "v"}])["activityArn"]
    assert _tags(sfn, arn) == {"k": "v"}
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=arn)
    assert _tags(sfn, sfn.create_activity(name="TagActivity")["activityArn"]) == {}


def test_it_allows_fifty_tags_and_refuses_the_fifty_first(sfn):
    arn = sfn.create_activity(name="TagMany")["activityArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    with pytest.raises(sfn.exceptions.TooManyTags):
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert len(_tags(sfn, arn)) == 50


def test_it_checks_tag_lengths_and_resources(sfn):
    arn = sfn.create_activity(name="TagLimits")["activityArn"]
    for tag in ({"key": "k" * 129, "value": "v"}, {"key": "k", "value": "v" * 257}):
        with pytest.raises(sfn.exceptions.ClientError) as caught:
            sfn.tag_resource(resourceArn=arn, tags=[tag])
        assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.tag_resource(resourceArn="arn:aws:states:us-east-1:000000000000:activity:Nope",
                         tags=[{"key": "k", "value": "v"}])
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.list_tags_for_resource(resourceArn="not-an-arn")
