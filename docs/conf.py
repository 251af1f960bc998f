"""Sphinx configuration of the skboltgan documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the repository root.
The gallery runs every ``examples/plot_*.py`` script; set ``SKBOLTGAN_GALLERY_PATTERN`` to a
regular expression (e.g. ``plot_quickstart``) to execute only the matching scripts.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document the checkout, installed or not

import skboltgan  # noqa: E402

project = "skboltgan"
author = "the skboltgan developers"
copyright = "the skboltgan developers, BSD-3-Clause"
version = release = skboltgan.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# API reference: one page per public object, generated from the numpydoc docstrings.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False  # autodoc lists the members; avoid duplicate entries
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Examples: the scripts in ../examples run at build time and their figures are captured.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": os.environ.get("SKBOLTGAN_GALLERY_PATTERN", r"/plot_"),
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "show_memory": False,
}



def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods for metadata routing; their docstrings
    # point into scikit-learn's own glossary, which this site does not have.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


_SHAPE = re.compile(r"of shape \(([^)]*)\)")


def _escape_shape_names(app, what, name, obj, options, lines):
    # "ndarray of shape (n_features_in_,)": a word ending in "_" is an RST link target;
    # escape the underscore so the shape reads as text (scikit-learn's docstring idiom).
    for i, line in enumerate(lines):
        lines[i] = _SHAPE.sub(lambda m: "of shape (" + re.sub(r"_\b", r"\\_", m[1]) + ")",
                              line)


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
    # Before numpydoc (priority 500) turns the sections into RST.
    app.connect("autodoc-process-docstring", _escape_shape_names, priority=100)


html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "description": "Bolt-GAN synthetic time series for scikit-learn",
    "fixed_sidebar": True,
    "page_width": "1100px",
}
html_title = f"skboltgan {release}"
