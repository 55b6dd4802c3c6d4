"""Websocket routes (live pages)."""

from django.urls import path

from console import consumers

websocket_urlpatterns = [
    path("ws/executions/", consumers.ExecutionListConsumer.as_asgi()),
    path("ws/state-machines/", consumers.MachineListConsumer.as_asgi()),
    path("ws/executions/<int:pk>/", consumers.ExecutionConsumer.as_asgi()),
    path("ws/state-machines/<int:machine>/", consumers.ExecutionListConsumer.as_asgi()),
    path("ws/functions/<int:pk>/", consumers.FunctionConsumer.as_asgi()),
]
