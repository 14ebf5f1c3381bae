"""What Woodland Market sells: SKU -> (name, unit price in USD as a decimal string)."""

from __future__ import annotations

CURRENCY = "USD"

PRODUCTS: dict[str, tuple[str, str]] = {
    "TENT-2P": ("Two-person tent", "189.00"),
    "TENT-4P": ("Four-person cabin tent", "329.00"),
    "BAG-20F": ("Down sleeping bag, 20°F", "249.00"),
    "PAD-INS": ("Insulated sleeping pad", "119.00"),
    "PACK-65": ("65 L backpacking pack", "279.00"),
    "PACK-22": ("22 L daypack", "89.00"),
    "STOVE-CAN": ("Canister stove", "54.95"),
    "POT-TI": ("Titanium cook set", "64.50"),
    "LAMP-HD": ("Rechargeable headlamp", "39.99"),
    "FILT-SQZ": ("Squeeze water filter", "44.95"),
    "BOOT-HIKE": ("Waterproof hiking boots", "159.00"),
    "JKT-RAIN": ("Rain shell jacket", "129.00"),
    "JKT-DOWN": ("Down puffer jacket", "199.00"),
    "POLE-TRK": ("Trekking poles (pair)", "79.00"),
    "CHAIR-CMP": ("Folding camp chair", "59.00"),
    "COOL-45": ("45-quart hard cooler", "249.95"),
    "HAMMOCK": ("Camping hammock", "69.00"),
    "BEAR-CAN": ("Bear-resistant food canister", "84.95"),
    "SOCK-MW": ("Merino hiking socks", "22.00"),
    "GLOVE-FL": ("Fleece gloves", "28.00"),
    "BINO-842": ("8x42 binoculars", "219.00"),
    "COMPASS": ("Baseplate compass", "29.95"),
    "AID-KIT": ("Trail first-aid kit", "34.50"),
}
