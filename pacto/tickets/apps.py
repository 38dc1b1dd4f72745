from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "pacto.tickets"
    label = "tickets"
    verbose_name = "Tickets and SLA clocks"
