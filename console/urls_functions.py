"""URL routes of the function pages."""

from django.urls import path

from console.views import functions

urlpatterns = [
    path("functions/", functions.function_list, name="function-list"),
    path("functions/new", functions.function_create, name="function-create"),
    path("functions/<str:name>/", functions.function_detail, name="function-detail"),
    path("functions/<str:name>/edit", functions.function_edit, name="function-edit"),
    path("functions/<str:name>/invoke", functions.function_invoke, name="function-invoke"),
    path("functions/<str:name>/delete", functions.function_delete, name="function-delete"),
    path("functions/<str:name>/code.zip", functions.function_code_zip, name="function-code-zip"),
]
