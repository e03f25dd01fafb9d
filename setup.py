"""Build script: setuptools + CFFI, so ``pip install .`` compiles chipid._native."""

from setuptools import setup

setup(cffi_modules=["native/build_native.py:ffibuilder"])
