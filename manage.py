#!/usr/bin/env python
"""Django's usual entry point; `pacto <command>` does the same and is what the docs use."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacto.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
