from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "pacto.catalog"
    label = "catalog"
    verbose_name = "Product catalogue, known issues and releases"
