"""Date formats per language (settings.FORMAT_MODULE_PATH).

Pages format dates with a named format (``{{ day|date:"DATE_FORMAT" }}``,
``django.utils.formats.date_format`` or ``core.text.date_text``), never with a
hand-written "Y年n月j日", so an English page reads "7 December 2026" and a
Chinese one "2026年12月7日". What is not set here falls back to Django's own
locale formats (input formats included).
"""
