from pacto.portal.tests.fixtures import clock, fast_passwords, media_root  # noqa: F401
