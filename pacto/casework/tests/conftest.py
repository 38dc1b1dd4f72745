from pacto.portal.tests.fixtures import clock, media_root  # noqa: F401
