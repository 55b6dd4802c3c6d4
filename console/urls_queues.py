"""URL routes of the queue pages and the callback inbox."""

from django.urls import path

from console.views import callbacks, queues

urlpatterns = [
    path("queues/", queues.queue_list, name="queue-list"),
    path("queues/counts", queues.queue_counts, name="queue-counts"),
    path("queues/new", queues.queue_create, name="queue-create"),
    path("queues/<str:name>/", queues.queue_detail, name="queue-detail"),
    path("queues/<str:name>/edit", queues.queue_edit, name="queue-edit"),
    path("queues/<str:name>/delete", queues.queue_delete, name="queue-delete"),
    path("queues/<str:name>/purge", queues.queue_purge, name="queue-purge"),
    path("queues/<str:name>/messages", queues.queue_messages, name="queue-messages"),
    path("queues/<str:name>/send", queues.queue_send, name="queue-send"),
    path("queues/<str:name>/receive", queues.queue_receive, name="queue-receive"),
    path("queues/<str:name>/delete-message", queues.queue_delete_message, name="queue-delete-message"),
    path("callbacks/", callbacks.callback_list, name="callback-list"),
    path("callbacks/rows", callbacks.callback_rows, name="callback-rows"),
    path("callbacks/<int:pk>/approve", callbacks.callback_approve, name="callback-approve"),
    path("callbacks/<int:pk>/reject", callbacks.callback_reject, name="callback-reject"),
    path("callbacks/<int:pk>/heartbeat", callbacks.callback_heartbeat, name="callback-heartbeat"),
]
