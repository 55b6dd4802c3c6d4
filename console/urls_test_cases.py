"""URL routes of test cases (mocked runs) and of comparing two executions."""

from django.urls import path

from console.views import compare
from console.views import test_cases as views

urlpatterns = [
    path("state-machines/<str:name>/test-cases/", views.test_case_list, name="test-case-list"),
    path("state-machines/<str:name>/test-cases/new", views.test_case_create, name="test-case-create"),
    path("state-machines/<str:name>/test-cases/mock-config.json", views.test_cases_mock_config,
         name="test-case-mock-config"),
    path("state-machines/<str:name>/test-cases/run-all", views.test_case_run_all, name="test-case-run-all"),
    path("state-machines/<str:name>/test-cases/<path:case>/edit", views.test_case_edit, name="test-case-edit"),
    path("state-machines/<str:name>/test-cases/<path:case>/run", views.test_case_run, name="test-case-run"),
    path("state-machines/<str:name>/test-cases/<path:case>/delete", views.test_case_delete,
         name="test-case-delete"),
    path("executions/<int:pk>/save-as-test-case", views.execution_save_as_test_case,
         name="execution-save-as-test-case"),
    path("executions/compare", compare.execution_compare, name="execution-compare"),
]
