"""Email alerts, the reader's side: ask for them, confirm them from the inbox, manage or stop them from
any email. No account: signed links are the permission. Nothing here is cached or shown to crawlers."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .. import alerts
from ..models import Subscriber, SubscriberList, Subscription
from ..publishing import alerts as subscriptions

Frequency = Subscription.Frequency
RATE_WINDOW = 3600
# What a subscription's list is named after, read with it.
LIST_NAMES = ["subscriber_list", *(f"subscriber_list__{tag}" for tag in SubscriberList.NAMED_AFTER)]


class AlertForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.IMMEDIATELY, widget=forms.RadioSelect
    )


def scope_or_404(params) -> alerts.Scope:
    try:
        return alerts.scope_from(params)
    except alerts.UnknownScope as error:
        raise Http404(str(error)) from error


def over_limit(name: str, value: str, limit: int) -> bool:
    """Count one more request by this address or client in the hour; True past the limit."""
    key = f"alert-requests:{name}:{hashlib.sha256(value.encode()).hexdigest()}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between the two calls
        return False


@never_cache
def alert_signup(request):
    scope = scope_or_404(request.GET)
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = subscriptions.normal_address(form.cleaned_data["email"])
        client = request.META.get("REMOTE_ADDR", "")
        limits = [  # every request counts against both, so that neither count can be run past
            over_limit("address", address, settings.ALERT_REQUESTS_PER_ADDRESS),
            over_limit("client", client, settings.ALERT_REQUESTS_PER_CLIENT),
        ]
        if any(limits):
            form.add_error(None, "Too many requests in the last hour. Please try again later.")
        else:
            with transaction.atomic():
                subscriptions.request_confirmation(address, scope, form.cleaned_data["frequency"])
            return redirect(reverse("briefings:alert-requested"))
    status = 400 if form.errors else 200
    return render(request, "briefings/alerts/signup.html", {"scope": scope, "form": form}, status=status)


@never_cache
def alert_requested(request):
    return render(request, "briefings/alerts/requested.html")


@never_cache
def alert_confirm(request, token: str):
    """A GET shows a button, so that a mail scanner opening the link confirms nothing; the POST subscribes."""
    try:
        address, scope, frequency = alerts.read_confirmation(token)
    except (signing.BadSignature, alerts.UnknownScope):
        return render(request, "briefings/alerts/link_expired.html", status=404)
    if request.method == "POST":
        subscription = subscriptions.subscribe(address, scope, frequency)
        return redirect(reverse("briefings:alert-manage", args=[alerts.manage_token(subscription.subscriber_id)]))
    context = {"scope": scope, "address": address, "frequency": Frequency(frequency)}
    return render(request, "briefings/alerts/confirm.html", context)


@never_cache
def alert_manage(request, token: str):
    try:
        subscriber = Subscriber.objects.filter(pk=alerts.read_token(token, alerts.MANAGE_SALT)).first()
    except signing.BadSignature:
        return render(request, "briefings/alerts/link_expired.html", status=404)
    if request.method == "POST" and subscriber is not None:
        chosen = subscriber.subscriptions.filter(pk=request.POST.get("subscription")).first()
        if chosen is not None and request.POST.get("action") == "remove":
            subscriptions.unsubscribe(chosen.pk)
        elif chosen is not None and request.POST.get("frequency") in Frequency.values:
            subscriptions.change_frequency(chosen.pk, request.POST["frequency"])
        return redirect(request.path)
    followed = subscriber.subscriptions.select_related(*LIST_NAMES).order_by("created_at") if subscriber else []
    context = {"subscriber": subscriber, "subscriptions": followed, "frequencies": Frequency.choices}
    return render(request, "briefings/alerts/manage.html", context)


@csrf_exempt  # RFC 8058: mail programs post here without a form of ours; the signed link is the permission
@never_cache
def alert_unsubscribe(request, token: str):
    try:
        subscription_ids = alerts.read_token(token, alerts.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "briefings/alerts/link_expired.html", status=404)
    if request.method == "POST":
        subscriptions.unsubscribe(*subscription_ids)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, "briefings/alerts/unsubscribed.html")
    followed = Subscription.objects.select_related(*LIST_NAMES).filter(pk__in=subscription_ids).order_by("pk")
    return render(request, "briefings/alerts/unsubscribe.html", {"subscriptions": followed})
