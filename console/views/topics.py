"""The topic pages: list, create, the topic (subscriptions, publish a test message, recent
deliveries), delete. Reads use the models; every write goes through console.services.topics."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.models import Queue, Topic
from console.services import ServiceError, functions, queues, topics
from console.services import topic_filters as filters
from console.services.functions import code_files
from engine import json_types

ATTRIBUTE_ROWS = 3
_EMPTY_ROW = {"name": "", "type": "String", "value": ""}


def _get_topic_or_404(name: str) -> Topic:
    topic = topics.get_topic_by_name(name)
    if topic is None:
        raise Http404(f"No topic named {name!r}")
    return topic


# --------------------------------------------------------------------------- forms


class CreateTopicForm(forms.Form):
    name = forms.CharField(max_length=256)
    fifo = forms.BooleanField(label="FIFO topic (name ends with .fifo)", required=False)
    display_name = forms.CharField(label="Display name", max_length=100, required=False)


class SubscribeForm(forms.Form):
    protocol = forms.ChoiceField(choices=[(p, p) for p in ("sqs", "lambda", "http", "https", "email-json")])
    endpoint = forms.CharField(max_length=2048, help_text="A queue ARN, a function ARN, or a URL")
    filter_policy = forms.CharField(label="Filter policy (JSON)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    filter_scope = forms.ChoiceField(label="Filter policy scope", choices=[(s, s) for s in filters.SCOPES])
    raw = forms.BooleanField(label="Raw message delivery", required=False)

    def attributes(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {}
        if data["filter_policy"].strip():
            values["FilterPolicy"] = data["filter_policy"]
            values["FilterPolicyScope"] = data["filter_scope"]
        if data["raw"]:
            values["RawMessageDelivery"] = "true"
        return values


class PublishForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), strip=False)
    json_message = forms.BooleanField(label="Message is JSON", required=False, initial=True)
    subject = forms.CharField(max_length=100, required=False)
    group_id = forms.CharField(label="Message group id", max_length=128, required=False)
    deduplication_id = forms.CharField(label="Deduplication id", max_length=128, required=False)

    def clean(self):
        data = super().clean()
        if data.get("json_message") and "message" in data:
            try:
                json_types.loads(data["message"])
            except ValueError as error:
                self.add_error("message", f"The message is not valid JSON: {error}")
        return data


def _attribute_rows(post) -> tuple[list[dict], dict[str, dict[str, str]]]:
    rows, attributes = [], {}
    for index in range(ATTRIBUTE_ROWS):
        name = post.get(f"attr_name_{index}", "").strip()
        kind = post.get(f"attr_type_{index}", "String")
        value = post.get(f"attr_value_{index}", "")
        rows.append({"name": name, "type": kind, "value": value})
        if name:
            key = "BinaryValue" if kind == "Binary" else "StringValue"
            attributes[name] = {"DataType": kind, key: value}
    return rows, attributes


# --------------------------------------------------------------------------- pages


@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/topic_list.html", {"nav": "topics", "rows": topics.topics_with_counts()})


@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    form = CreateTopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attributes = {"FifoTopic": "true"} if data["fifo"] else {}
        if data["display_name"]:
            attributes["DisplayName"] = data["display_name"]
        try:
            topic = topics.create_topic(data["name"], attributes)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Topic {topic.name} is ready.")
            return redirect("topic-detail", topic.name)
    return render(request, "console/topic_form.html", {"nav": "topics", "form": form})


def _detail_context(topic: Topic, **forms_: object) -> dict:
    attributes = topics.topic_attributes(topic)
    return {
        "nav": "topics",
        "topic": topic,
        "display_name": attributes.get("DisplayName", ""),
        "subscriptions": [(s, topics.subscription_attributes(s)) for s in topics.list_subscriptions(topic)],
        "deliveries": topics.recent_deliveries(topic),
        "subscribe_form": forms_.get("subscribe_form") or SubscribeForm(),
        "publish_form": forms_.get("publish_form") or PublishForm(),
        "attribute_rows": forms_.get("attribute_rows") or [_EMPTY_ROW] * ATTRIBUTE_ROWS,
        "endpoints": _endpoint_choices(),
    }


def _endpoint_choices() -> list[tuple[str, str]]:
    queue_arns = [(queues.queue_arn(q), f"queue {q.name}") for q in Queue.objects.all()]
    function_arns = [(code_files.function_arn(f.name), f"function {f.name}") for f in functions.list_functions()]
    return queue_arns + function_arns


@require_GET
def topic_detail(request: HttpRequest, name: str) -> HttpResponse:
    return render(request, "console/topic_detail.html", _detail_context(_get_topic_or_404(name)))


@require_GET
def topic_deliveries(request: HttpRequest, name: str) -> HttpResponse:
    topic = _get_topic_or_404(name)
    return render(request, "console/topic_deliveries.html", {"deliveries": topics.recent_deliveries(topic)})


@require_POST
def topic_subscribe(request: HttpRequest, name: str) -> HttpResponse:
    topic = _get_topic_or_404(name)
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            topics.subscribe(topic, form.cleaned_data["protocol"], form.cleaned_data["endpoint"], form.attributes())
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Subscribed.")
            return redirect("topic-detail", topic.name)
    return render(request, "console/topic_detail.html", _detail_context(topic, subscribe_form=form), status=400)


@require_POST
def topic_unsubscribe(request: HttpRequest, name: str) -> HttpResponse:
    topic = _get_topic_or_404(name)
    subscription = topics.list_subscriptions(topic).filter(arn=request.POST.get("subscription_arn", "")).first()
    if subscription is not None:
        topics.unsubscribe(subscription)
        messages.success(request, "Subscription removed.")
    return redirect("topic-detail", topic.name)


@require_POST
def topic_publish(request: HttpRequest, name: str) -> HttpResponse:
    topic = _get_topic_or_404(name)
    form = PublishForm(request.POST)
    rows, attributes = _attribute_rows(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            published = topics.publish(topic, data["message"], subject=data["subject"] or None,
                                       attributes=attributes, group_id=data["group_id"] or None,
                                       deduplication_id=data["deduplication_id"] or None)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Published message {published.message_id} "
                                      f"({published.deliveries} deliveries).")
            return redirect("topic-detail", topic.name)
    context = _detail_context(topic, publish_form=form, attribute_rows=rows)
    return render(request, "console/topic_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def topic_delete(request: HttpRequest, name: str) -> HttpResponse:
    topic = _get_topic_or_404(name)
    if request.method == "POST":
        topics.delete_topic(topic)
        messages.success(request, f"Topic {name} deleted.")
        return redirect("topic-list")
    return render(request, "console/topic_delete.html", {"nav": "topics", "topic": topic})
