"""Test cases in the console: create with validation, run, run all, save from an execution,
compare two executions; and the mock file's parser on its own."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console import history, runs
from console.mocking.config import MockConfigError, parse
from console.models import Execution, TestCase
from console.services import machines, test_runs
from console.services import test_cases as service

pytestmark = pytest.mark.django_db

LAMBDA = "arn:aws:states:::lambda:invoke"
FLOW = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "check"},
                  "ResultSelector": {"ok.$": "$.Payload.ok"},
                  "Catch": [{"ErrorEquals": ["Check.Failed"], "Next": "Rejected"}], "Next": "Decide"},
        "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Yes"}],
                   "Default": "Rejected"},
        "Yes": {"Type": "Pass", "Result": {"done": True}, "End": True},
        "Rejected": {"Type": "Fail", "Error": "Rejected"},
    },
}
OK = {"Check": {"0": {"Return": {"Payload": {"ok": True}}}}}


@pytest.fixture
def flow():
    return machines.create_machine(name="Flow", definition=json.dumps(FLOW))


def post_case(client, machine, follow=False, **fields):
    data = {"name": "Happy", "input": "{}", "mocks": json.dumps(OK), "expected_status": "SUCCEEDED",
            "expected_output": '{"done": true}', **fields}
    return client.post(reverse("test-case-create", args=[machine.name]), data, follow=follow)


def test_it_creates_a_test_case_and_lists_it(client, flow):
    response = post_case(client, flow)
    assert response.status_code == 302
    case = TestCase.objects.get(machine=flow, name="Happy")
    assert json.loads(case.mocks) == OK
    page = client.get(reverse("test-case-list", args=[flow.name])).content.decode()
    assert "Happy" in page and "not run" in page


def test_the_machine_page_lists_its_test_cases_with_a_run_button(client, flow):
    service.save_case(flow, "Yes", OK)
    page = client.get(reverse("machine-detail", args=[flow.name])).content.decode()
    section = page.split('id="machine-test-cases"')[1].split("</section>")[0]
    assert reverse("test-case-run", args=[flow.name, "Yes"]) in section
    assert 'name="csrfmiddlewaretoken" value="' in section


def test_it_refuses_unknown_states_and_malformed_responses(client, flow):
    mocks = {"Nope": {"0": {"Return": 1}}, "Check": {"0": {"Return": 1}, "5": {"Return": 2}}}
    page = post_case(client, flow, mocks=json.dumps(mocks)).content.decode()
    assert "&quot;Nope&quot; is not a Task state of Flow (its Task states: Check)" in page
    assert "leaves attempt 1 unanswered" in page
    assert not TestCase.objects.exists()


def test_it_refuses_a_non_task_state_and_states_all_as_a_thrown_error(client, flow):
    mocks = {"Yes": {"0": {"Return": 1}}, "Check": {"0": {"Throw": {"Error": "States.ALL"}}}}
    page = post_case(client, flow, mocks=json.dumps(mocks)).content.decode()
    assert "&quot;Yes&quot; is not a Task state" in page
    assert "cannot be thrown" in page


def test_it_warns_about_an_error_the_state_neither_retries_nor_catches(client, flow):
    mocks = {"Check": {"0": {"Throw": {"Error": "Other.Error", "Cause": "x"}}}}
    response = post_case(client, flow, mocks=json.dumps(mocks), expected_status="FAILED", follow=True)
    assert "Check neither retries nor catches &quot;Other.Error&quot;" in response.content.decode()
    assert TestCase.objects.filter(name="Happy").exists()


def test_running_a_test_case_answers_from_its_mocks_and_passes(client, flow):
    post_case(client, flow)
    response = client.post(reverse("test-case-run", args=[flow.name, "Happy"]))
    execution = Execution.objects.get(test_case="Happy")
    assert response["Location"] == reverse("execution-detail", args=[execution.pk])
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", {"done": True})
    [result] = test_runs.results(flow)
    assert (result.verdict, result.execution) == ("pass", execution)


def test_run_all_reports_a_failing_case_with_its_reasons(client, flow):
    post_case(client, flow)
    post_case(client, flow, name="Declined", mocks=json.dumps({"Check": {"0": {"Throw": {"Error": "Check.Failed"}}}}),
              expected_status="SUCCEEDED", expected_output="")
    client.post(reverse("test-case-run-all", args=[flow.name]))
    verdicts = {r.case.name: (r.verdict, r.reasons) for r in test_runs.results(flow)}
    assert verdicts == {"Declined": ("fail", ["status FAILED, expected SUCCEEDED"]), "Happy": ("pass", [])}
    page = client.get(reverse("test-case-list", args=[flow.name])).content.decode()
    assert "status FAILED, expected SUCCEEDED" in page


def test_an_execution_saved_as_a_test_case_replays_every_task_result(client, flow):
    declined = {"Check": {"0": {"Throw": {"Error": "Check.Failed", "Cause": "no"}}}}
    service.save_case(flow, "Declined", declined, input='{"n": 1}')
    original = test_runs.run_case(flow, service.find_case(flow, "Declined"))
    original.refresh_from_db()
    assert original.status == "FAILED"
    response = client.post(reverse("execution-save-as-test-case", args=[original.pk]), {"name": "Replay"})
    assert response["Location"] == reverse("test-case-edit", args=[flow.name, "Replay"])
    saved = TestCase.objects.get(machine=flow, name="Replay")
    assert json.loads(saved.mocks) == declined
    assert (saved.input, saved.expected_status) == ('{"n": 1}', "FAILED")
    client.post(reverse("test-case-run", args=[flow.name, "Replay"]))
    verdicts = {r.case.name: r.verdict for r in test_runs.results(flow)}
    assert verdicts["Replay"] == "pass"


def test_a_running_execution_cannot_be_saved_as_a_test_case(client, flow):
    execution = test_runs.run_case(flow, service.CaseView("Real", "console", {}))  # Check calls for real
    response = client.post(reverse("execution-save-as-test-case", args=[execution.pk]), {"name": "TooSoon"},
                           follow=True)
    assert "still running" in response.content.decode()
    assert not TestCase.objects.exists()


def test_a_finished_run_saved_as_a_test_case_groups_equal_answers_into_ranges():
    rows = [runs.TaskResult("A", error="E", cause="c"), runs.TaskResult("A", error="E", cause="c"),
            runs.TaskResult("A", returns=1), runs.TaskResult("B", returns={"x": 1})]
    assert runs.mocks_from(rows) == {
        "A": {"0-1": {"Throw": {"Error": "E", "Cause": "c"}}, "2": {"Return": 1}},
        "B": {"0": {"Return": {"x": 1}}},
    }


def test_answers_of_concurrent_map_iterations_are_saved_in_the_order_they_were_called():
    def row(id_, type_, iteration, details=None):
        return history.Row(id_, id_ - 1, type_, 0.0, details, "Price", iteration)

    rows = [row(3, "TaskScheduled", "Each #0"), row(4, "TaskScheduled", "Each #1"),
            row(5, "TaskSucceeded", "Each #1", {"output": "20"}), row(6, "TaskSucceeded", "Each #0", {"output": "10"})]
    assert runs.mocks_from(runs.task_results(rows)) == {"Price": {"0": {"Return": 10}, "1": {"Return": 20}}}


def test_comparing_two_runs_shows_the_paths_and_the_differences(client, flow):
    service.save_case(flow, "Yes", OK)
    service.save_case(flow, "No", {"Check": {"0": {"Return": {"Payload": {"ok": False}}}}})
    yes = test_runs.run_case(flow, service.find_case(flow, "Yes"))
    no = test_runs.run_case(flow, service.find_case(flow, "No"))
    page = client.get(reverse("execution-compare") + f"?a={yes.pk}&b={no.pk}").content.decode()
    assert 'id="graph-a"' in page and 'id="graph-b"' in page
    assert "$.ok" in page  # Check's output differs at $.ok
    data = json.loads(page.split('id="compare-data" type="application/json">')[1].split("</script>")[0])
    assert data["a"]["statuses"]["Yes"] == "succeeded" and "Yes" not in data["b"]["statuses"]
    assert data["b"]["statuses"]["Rejected"] == "failed"


def test_the_execution_page_offers_compare_and_save_as_test_case(client, flow):
    service.save_case(flow, "Yes", OK)
    execution = test_runs.run_case(flow, service.find_case(flow, "Yes"))
    page = client.get(reverse("execution-detail", args=[execution.pk])).content.decode()
    assert 'id="compare-link"' in page and 'id="save-test-case-box"' in page and "test case Yes" in page


def test_a_file_case_is_listed_and_runs(client, flow, tmp_path, settings):
    path = tmp_path / "mocks.json"
    odd = "Happy path/<b>2</b>"
    path.write_text(json.dumps({"StateMachines": {"Flow": {"TestCases": {"FromFile": {"Check": "Ok"},
                                                                         odd: {"Check": "Ok"}}}},
                                "MockedResponses": {"Ok": OK["Check"]}}))
    settings.STEPYARD_MOCK_CONFIG = str(path)
    page = client.get(reverse("test-case-list", args=[flow.name])).content.decode()
    assert "FromFile" in page and str(path) in page
    assert "Happy path/&lt;b&gt;2&lt;/b&gt;" in page and "<b>2</b>" not in page
    client.post(reverse("test-case-run", args=[flow.name, "FromFile"]))
    assert Execution.objects.get(test_case="FromFile").status == "SUCCEEDED"
    client.post(reverse("test-case-run", args=[flow.name, odd]))
    assert Execution.objects.get(test_case=odd).status == "SUCCEEDED"


def test_a_malformed_file_is_reported_on_the_page(client, flow, tmp_path, settings):
    path = tmp_path / "mocks.json"
    path.write_text('{\n  "StateMachines": {"Flow": {"TestCases": {"X": {"Check": "Missing"}}}}\n}')
    settings.STEPYARD_MOCK_CONFIG = str(path)
    page = client.get(reverse("test-case-list", args=[flow.name])).content.decode()
    assert f"{path}, line 2, field StateMachines.Flow.TestCases.X.Check" in page


@pytest.mark.parametrize("text, where", [
    ('{"StateMachines": {}, "Extra": 1}', "line 1, field Extra"),
    ('{\n"MockedResponses": {\n"R": {"0": {"Throw": {"Cause": "no error"}}}}}',
     'line 3, field MockedResponses.R["0"].Throw.Error'),
    ('{\n"MockedResponses": {\n"R": {"0-2": {"Return": 1},\n"1": {"Return": 2}}}}',
     'line 4, field MockedResponses.R["1"]'),
    ('{"StateMachines": {"M": {"Cases": {}}}}', "line 1, field StateMachines.M"),
    ("[1, 2", "line 1"),
])
def test_the_parser_names_line_and_field(text, where):
    with pytest.raises(MockConfigError) as caught:
        parse("mock.json", text)
    assert f"mock.json, {where}" in str(caught.value)


def test_an_empty_response_is_accepted_until_it_is_called():
    config = parse("mock.json", '{"StateMachines": {"M": {"TestCases": {"C": {"S": "Empty"}}}}, '
                                '"MockedResponses": {"Empty": {}}}')
    assert config.case("M", "C") == {"S": {}}


def test_an_activity_state_can_be_mocked():
    activity = "arn:aws:states:us-east-1:000000000000:activity:Approve"
    machine = machines.create_machine(name="Approvals", definition=json.dumps(
        {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": activity, "End": True}}}))
    service.save_case(machine, "Yes", {"Approve": {"0": {"Return": {"approved": True}}}})
    execution = test_runs.run_case(machine, service.find_case(machine, "Yes"))
    execution.refresh_from_db()
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", {"approved": True})
    types = [row.type for row in test_runs.history_of(execution)]
    assert types[1:4] == ["TaskStateEntered", "ActivityScheduled", "ActivitySucceeded"]


def test_a_missing_or_unreadable_file_is_reported_not_a_crash(client, flow, tmp_path, settings):
    settings.STEPYARD_MOCK_CONFIG = str(tmp_path)  # a directory
    page = client.get(reverse("test-case-list", args=[flow.name])).content.decode()
    assert f"Mock configuration {tmp_path}: cannot be read" in page
    settings.STEPYARD_MOCK_CONFIG = str(tmp_path / "missing.json")
    with pytest.raises(service.ValidationError, match="missing.json: cannot be read"):
        service.resolve(flow, "Any")


def test_the_cases_download_as_a_mock_file_that_runs_the_same(client, flow, tmp_path, settings):
    service.save_case(flow, "Yes", OK)
    response = client.get(reverse("test-case-mock-config", args=[flow.name]))
    assert "attachment" in response["Content-Disposition"]
    config = json.loads(response.content)
    assert config == {"StateMachines": {"Flow": {"TestCases": {"Yes": {"Check": "Yes.Check"}}}},
                      "MockedResponses": {"Yes.Check": OK["Check"]}}
    path = tmp_path / "downloaded.json"
    path.write_bytes(response.content)
    settings.STEPYARD_MOCK_CONFIG = str(path)
    assert parse(str(path), path.read_text()).case("Flow", "Yes") == OK


def test_a_case_run_twice_links_its_two_runs_for_comparison(client, flow):
    service.save_case(flow, "Yes", OK)
    first = test_runs.run_case(flow, service.find_case(flow, "Yes"))
    second = test_runs.run_case(flow, service.find_case(flow, "Yes"))
    page = client.get(reverse("test-case-list", args=[flow.name])).content.decode()
    assert f"{reverse('execution-compare')}?a={second.pk}&amp;b={first.pk}" in page
