"""Who a login attempt comes from, and what a locked-out person sees (django-axes hooks)."""

import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The address a request comes from.

    Without trusted proxies it is the connection's own address. Behind TRUSTED_PROXY_COUNT
    proxies each one has appended the address it got the request from to X-Forwarded-For,
    and the last proxy is the connection itself: the client is that many hops from the end.
    Whatever comes before it in the header, the client may have written itself.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()] + [remote or ""]
    client = hops[-(count + 1)] if len(hops) > count else hops[0]
    try:
        return str(ipaddress.ip_address(client))
    except ValueError:
        return remote  # a proxy that does not write addresses: count the connection


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page again, with why it refused and when to try again (HTTP 429)."""
    cool_off = get_cool_off(request)
    seconds = math.ceil(cool_off.total_seconds()) if cool_off else None
    username = (credentials or {}).get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_until": timezone.now() + cool_off if cool_off else None,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    response = render(request, "registration/login.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
