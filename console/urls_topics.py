"""URL routes of the topic, event source and sample project pages."""

from django.urls import path

from console.views import samples, sources, topics

urlpatterns = [
    path("topics/", topics.topic_list, name="topic-list"),
    path("topics/new", topics.topic_create, name="topic-create"),
    path("topics/<str:name>/", topics.topic_detail, name="topic-detail"),
    path("topics/<str:name>/deliveries", topics.topic_deliveries, name="topic-deliveries"),
    path("topics/<str:name>/subscribe", topics.topic_subscribe, name="topic-subscribe"),
    path("topics/<str:name>/unsubscribe", topics.topic_unsubscribe, name="topic-unsubscribe"),
    path("topics/<str:name>/publish", topics.topic_publish, name="topic-publish"),
    path("topics/<str:name>/delete", topics.topic_delete, name="topic-delete"),
    path("event-sources/", sources.source_list, name="source-list"),
    path("event-sources/<int:pk>/toggle", sources.source_toggle, name="source-toggle"),
    path("event-sources/<int:pk>/delete", sources.source_delete, name="source-delete"),
    path("samples/", samples.sample_list, name="sample-list"),
    path("samples/<slug:slug>/", samples.sample_detail, name="sample-detail"),
    path("samples/<slug:slug>/run", samples.sample_run, name="sample-run"),
    path("samples/<slug:slug>/executions", samples.sample_executions, name="sample-executions"),
]
