"""Chapter helpers: one module per chapter, named like its notebook, and ``display``, what the
chapters share. The core of rnnlib never imports them."""
