"""Turning a project into a published book: what each book is made of and its content key,
the cache, the warm kernels that run the notebooks, the Jupyter Book step, print, the site."""
