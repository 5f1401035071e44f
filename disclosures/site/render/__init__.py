"""Turn the model into HTML, SVG and download files. Pure functions: model in, text/bytes out."""
