"""Shim for `scrapyd-deploy`, which builds eggs with `setup.py bdist_egg`; pyproject.toml holds the config."""

from setuptools import setup

setup()
