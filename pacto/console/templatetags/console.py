"""The console's bell in the page header: unread notifications of the signed-in agent."""

from django import template

from pacto.console import live

register = template.Library()


@register.inclusion_tag("console/partials/bell.html", takes_context=True)
def console_bell(context):
    user = context["request"].user
    return {"unread": live.unread_count(user)}
