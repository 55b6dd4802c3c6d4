"""URL routes: the console pages (the AWS APIs are added by their issues)."""

from django.urls import include, path

from console.api import fnf
from console.views import executions, map_runs, services, versions
from console.views import machines as views

urlpatterns = [
    path("", views.home, name="home"),
    path("fnf/", fnf.fnf_api, name="fnf-api"),
    path("", include("console.urls_queues")),
    path("", include("console.urls_functions")),
    path("", include("console.urls_topics")),
    path("", include("console.urls_test_cases")),
    path("services/", services.service_list, name="service-list"),
    path("map-runs/<path:arn>", map_runs.map_run_detail, name="map-run-detail"),
    path("state-machines/", views.machine_list, name="machine-list"),
    path("state-machines/new", views.machine_create, name="machine-create"),
    path("state-machines/validate", views.machine_validate, name="machine-validate"),
    path("state-machines/<str:name>/", views.machine_detail, name="machine-detail"),
    path("state-machines/<str:name>/edit", views.machine_edit, name="machine-edit"),
    path("state-machines/<str:name>/delete", views.machine_delete, name="machine-delete"),
    path("state-machines/<str:name>/executions/", executions.execution_list, name="machine-executions"),
    path("state-machines/<str:name>/start", executions.execution_start, name="execution-start"),
    path("executions/", executions.execution_list, name="execution-list"),
    path("executions/<int:pk>/", executions.execution_detail, name="execution-detail"),
    path("executions/<int:pk>/facts", executions.execution_facts, name="execution-facts"),
    path("executions/<int:pk>/events", executions.execution_events, name="execution-events"),
    path("executions/<int:pk>/events/<int:event_id>", executions.execution_event_details,
         name="execution-event-details"),
    path("executions/<int:pk>/text/<str:part>", executions.execution_text, name="execution-text"),
    path("executions/<int:pk>/graph", executions.execution_graph, name="execution-graph"),
    path("executions/<int:pk>/stop", executions.execution_stop, name="execution-stop"),
    path("executions/<int:pk>/redrive", executions.execution_redrive, name="execution-redrive"),
    path("executions/<int:pk>/history.json", executions.execution_history_json,
         name="execution-history-json"),
    path("state-machines/<str:name>/versions/", versions.machine_versions, name="machine-versions"),
    path("state-machines/<str:name>/versions/publish", versions.version_publish, name="version-publish"),
    path("state-machines/<str:name>/versions/<int:number>/delete", versions.version_delete,
         name="version-delete"),
    path("state-machines/<str:name>/aliases/save", versions.alias_save, name="alias-save"),
    path("state-machines/<str:name>/aliases/<str:alias>/delete", versions.alias_delete, name="alias-delete"),
    path("state-machines/<str:name>/revisions/<int:number>/diff", versions.revision_diff, name="revision-diff"),
    path("state-machines/<str:name>/revisions/<int:number>/restore", versions.revision_restore,
         name="revision-restore"),
    path(
        "state-machines/<str:name>/revisions/<int:number>",
        views.machine_revision,
        name="machine-revision",
    ),
]
