"""English text of the nine default whitelist items (version 1, migration 0002).

Each translation records the Chinese it was made from, so it is shown only
while the item still reads so (emergency.models.whitelist_translation).
"""

from importlib import import_module

from django.db import migrations

ENGLISH = {
    "E01": (
        "Lift out of service or unsafe",
        "A lift has stopped or trapped people after a fault, or a special-equipment inspection "
        "body or the lift maintenance contractor has found a hazard that needs immediate repair.",
    ),
    "E02": (
        "Roof or outer wall leaking into homes",
        "The waterproofing of the roof or of an outer wall has failed and rain leaks into "
        "residents' homes.",
    ),
    "E03": (
        "Facade finish at risk of falling",
        "Render or facing tiles of an outer wall are hollow or cracked and may fall and injure "
        "people.",
    ),
    "E04": (
        "Fire-safety installations out of order",
        "Hydrants without water (dry risers), the automatic fire alarm, fire pumps or other "
        "fire-safety installations have failed.",
    ),
    "E05": (
        "Burst or blocked water or drainage pipes",
        "A shared water supply pipe has burst, or a drainage or sewage pipe is blocked or "
        "overflowing.",
    ),
    "E06": (
        "Manhole cover missing, broken or sunken",
        "A manhole cover on a road or green space of the estate is missing, broken or sunken "
        "and endangers pedestrians or vehicles.",
    ),
    "E07": (
        "Underground garage leaking or flooded",
        "The roof slab or side walls of the underground garage leak, or rain or sewage flows "
        "back into it.",
    ),
    "E08": (
        "Glass curtain wall at risk of falling",
        "Glass of a curtain wall is broken or loose, or its fixings have failed, and it may fall.",
    ),
    "E09": (
        "Secondary water supply out of order",
        "Booster pumps, control cabinets or other secondary water supply equipment have failed, "
        "leaving residents without water or with too little pressure.",
    ),
}


def seed(apps, schema_editor):
    Translation = apps.get_model("emergency", "WhitelistItemTranslation")
    defaults = import_module("emergency.migrations.0002_seed_whitelist").ITEMS
    for code, name, _facility, description, _evidence, _cap in defaults:
        english_name, english_description = ENGLISH[code]
        Translation.objects.get_or_create(
            code=code,
            language="en",
            defaults={
                "name": english_name,
                "description": english_description,
                "source_name": name,
                "source_description": description,
            },
        )


def unseed(apps, schema_editor):
    Translation = apps.get_model("emergency", "WhitelistItemTranslation")
    Translation.objects.filter(code__in=ENGLISH, language="en", updated_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("emergency", "0006_whitelist_item_translation")]

    operations = [migrations.RunPython(seed, unseed)]
