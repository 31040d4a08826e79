#!/usr/bin/env python3
"""Regenerate the `talent` demo dataset in this directory.

Running ``python3 generate.py`` (re)writes these files next to this script:

    manifest.json      anchor date + description
    creators.csv       the creator roster
    brands.json        brands with their target audiences
    metrics.csv        12 monthly TikTok snapshots per creator
    demographics.csv   one audience snapshot per creator
    rates.csv          rate cards
    campaigns.csv      brand deals in every pipeline state

Every date is written relative to ANCHOR (2026-11-01); the loader shifts all
dates by (today - anchor) so the demo always looks current.

The output is fully deterministic (``random.Random(2026)``, stdlib only):
running the script twice produces byte-identical files.  After writing, the
script re-reads the files and runs ``check()`` which asserts the invariants
the importer relies on.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANCHOR = date(2026, 11, 1)
SEED = 2026

MONTHS = [date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 12)]

GENDER_BUCKETS = ["female", "male", "other"]
AGE_BUCKETS = ["13-17", "18-24", "25-34", "35-44", "45-54", "55+"]
DELIVERABLES = ["video", "live", "story", "bundle", "ugc"]

STATUS_MIX = [
    ("offer_received", 12),
    ("reviewing", 8),
    ("negotiating", 10),
    ("accepted", 8),
    ("in_production", 10),
    ("completed", 37),
    ("declined", 6),
    ("expired", 5),
    ("cancelled", 4),
]
STATUS_GROUPS = {
    "pending": ["offer_received", "reviewing", "negotiating"],
    "active": ["accepted", "in_production"],
    "completed": ["completed"],
    "inactive": ["declined", "expired", "cancelled"],
}
GROUP_OF = {s: g for g, ss in STATUS_GROUPS.items() for s in ss}

# Rough FX used only to derive local-currency prices from a USD baseline.
FX = {"USD": 1.0, "EUR": 0.92, "KRW": 1380.0}
ROUND_TO = {"USD": 50, "EUR": 50, "KRW": 50_000}

# ---------------------------------------------------------------------------
# Static roster / brand definitions (fictional)
# ---------------------------------------------------------------------------

# name, tiktok handle, niche, tags, region, currency
CREATORS = [
    ("김하늘", "@haneul.eats", "food", "kfood;mukbang;recipes", "KR", "KRW"),
    ("Olivia Bennett", "@liv.bennett", "beauty", "makeup;grwm;drugstore", "US", "USD"),
    ("이서연", "@seoyeon.glow", "beauty", "kbeauty;skincare;asmr", "KR", "KRW"),
    ("Jordan Hayes", "@jordanhayeslol", "comedy", "skits;relatable", "US", "USD"),
    ("박지훈", "@jihoon.plays", "gaming", "gaming;esports;fps", "KR", "KRW"),
    ("Sofía Ramírez", "@sofiaramirez.fit", "fitness", "hiit;latina;wellness", "MX", "USD"),
    ("Priya Nair", "@priya.finance", "finance", "budgeting;investing;personalfinance", "US", "USD"),
    ("최유나", "@yuna.dance", "dance", "kpop;dancecover;choreo", "KR", "KRW"),
    ("Mateo Fernández", "@mateo.cocina", "food", "spanishfood;tapas;recipes", "ES", "EUR"),
    ("Ethan Brooks", "@ethanbrooks.fit", "fitness", "gym;bodybuilding;mealprep", "US", "USD"),
    ("정민재", "@minjae.tech", "tech", "gadgets;unboxing;smartphones", "KR", "KRW"),
    ("Léa Moreau", "@lea.voyage", "travel", "travel;europe;slowtravel", "FR", "EUR"),
    ("Marcus Reed", "@marcusreedmusic", "music", "producer;beats;hiphop", "US", "USD"),
    ("윤다은", "@daeun.ootd", "fashion", "streetwear;ootd;seoul", "KR", "KRW"),
    ("Hannah Cole", "@mom.of.three.hannah", "parenting", "momlife;toddlers;hacks", "US", "USD"),
    ("Tyler Nguyen", "@tylerbuilds.pc", "tech", "pcbuild;gaming;setup", "US", "USD"),
    ("高橋蓮", "@ren.kicks", "fashion", "sneakers;streetwear;tokyo", "JP", "USD"),
    ("Grace Whitfield", "@gracewanders", "travel", "travel;budgettravel;uk", "GB", "USD"),
    ("강도윤", "@doyoon.fit", "fitness", "calisthenics;homeworkout", "KR", "KRW"),
    ("Valentina Costa", "@valen.makeup", "beauty", "makeup;brazil;tutorial", "BR", "USD"),
    ("Noah Patel", "@noahteaches.math", "education", "math;studytips;exams", "GB", "USD"),
    ("Ava Martinez", "@ava.moves", "dance", "dance;choreo;trends", "US", "USD"),
    ("조은비", "@eunbi.travels", "travel", "travel;cafes;jeju", "KR", "KRW"),
    ("Liam O'Connor", "@liam.and.biscuit", "pets", "dogs;goldenretriever", "IE", "EUR"),
    ("Aiko Tanaka", "@aikotunes", "music", "jpop;cover;guitar", "JP", "USD"),
    ("Zoe Carter", "@zoecarter.style", "fashion", "thrift;capsulewardrobe;ootd", "US", "USD"),
    ("임하준", "@hajun.money", "finance", "investing;etf;personalfinance", "KR", "KRW"),
    ("Dylan Foster", "@dylan.clips", "gaming", "gaming;minecraft;funny", "US", "USD"),
    ("Megan Price", "@meganbakes", "food", "baking;desserts;comfortfood", "CA", "USD"),
    ("Putri Lestari", "@putri.lestari", "comedy", "comedy;indonesia;skits", "ID", "USD"),
    ("서지아", "@jia.and.mochi", "pets", "cats;petcare", "KR", "KRW"),
    ("Jonas Becker", "@jonasbytes", "tech", "tech;reviews;smarthome", "DE", "EUR"),
    ("Ruby Ellis", "@ruby.pawprints", "pets", "rescuedogs;pets;adoptdontshop", "GB", "USD"),
    ("오예린", "@yerin.studies", "education", "studywithme;english;productivity", "KR", "KRW"),
    ("Caleb Morgan", "@dadmode.caleb", "parenting", "dadlife;parenting;funny", "US", "USD"),
    ("Chloé Dubois", "@chloe.chic", "fashion", "parisstyle;fashion;luxury", "FR", "EUR"),
    ("Lucas Oliveira", "@lucasjoga", "gaming", "gaming;freefire;mobilegaming", "BR", "USD"),
    ("Isaac Turner", "@isaac.laughs", "comedy", "comedy;standup;crowdwork", "US", "USD"),
    ("Sam Okafor", "@samokafor.money", "finance", "money;sidehustle;investing", "GB", "USD"),
    ("Bella Ross", "@bellaross.dances", "dance", "dance;ballet;contemporary", "CA", "USD"),
    ("Maya Thompson", "@mayacooks.daily", "food", "easyrecipes;healthy;mealprep", "US", "USD"),
    ("Leo Schmidt", "@leo.lifts", "fitness", "powerlifting;gym", "DE", "EUR"),
]

# Hand-written notes for about half the roster (others have none).
CREATOR_NOTES = {
    "@haneul.eats": "Based in Busan, available for Seoul shoots on weekends.",
    "@seoyeon.glow": "Exclusive with one skincare brand until end of Q1.",
    "@jordanhayeslol": 'Prefers "no-script" briefs; dislikes heavy talking points.',
    "@sofiaramirez.fit": "Bilingual content (EN/ES), can do two cuts per deliverable.",
    "@priya.finance": "All finance sponsorships need a disclosure review first.",
    "@yuna.dance": "Prefers Korean-language briefs, English OK for calls.",
    "@mateo.cocina": "Loves food brands, has a test kitchen at home.",
    "@minjae.tech": "Reply by KakaoTalk is faster than email.",
    "@marcusreedmusic": "Tours in summer; book lives well in advance.",
    "@mom.of.three.hannah": "Great with kids' products, no sponsored posts showing children's faces.",
    "@tylerbuilds.pc": "Fast turnaround, usually delivers drafts within 48h.",
    "@ren.kicks": "Needs usage rights capped at 30 days.",
    "@valen.makeup": "Audience very responsive to giveaways.",
    "@ava.moves": 'Calls her weekly series "Sunday Reset" - brands love it.',
    "@liam.and.biscuit": "Pet-safe products only; vet-approved claims required.",
    "@zoecarter.style": "Open to long-term ambassador deals.",
    "@dylan.clips": "Strong in-feed performance, weaker on lives.",
    "@jia.and.mochi": "Prefers product gifting before committing to a paid post.",
    "@jonasbytes": "Agent handles contracts; loop in before signing.",
    "@dadmode.caleb": "Will not promote alcohol or gambling.",
    "@chloe.chic": "Asks for 50% upfront on new brands.",
}

# Region -> (primary country, other candidate countries), email TLD, phone fmt
REGIONS = {
    "KR": ("KR", ["US", "JP", "ID", "PH", "VN", "TH", "TW", "CA"], "example.kr"),
    "JP": ("JP", ["US", "KR", "TW", "ID", "TH", "PH"], "example.jp"),
    "US": ("US", ["CA", "GB", "AU", "PH", "MX", "IN"], "example.com"),
    "GB": ("GB", ["US", "IE", "AU", "CA", "IN", "NG"], "example.co.uk"),
    "MX": ("MX", ["US", "ES", "CO", "AR", "CL"], "example.com"),
    "ES": ("ES", ["MX", "AR", "CO", "US", "CL"], "example.es"),
    "BR": ("BR", ["PT", "US", "AR", "MX", "AO"], "example.com"),
    "FR": ("FR", ["BE", "CA", "CH", "MA", "US"], "example.fr"),
    "DE": ("DE", ["AT", "CH", "US", "NL", "GB"], "example.de"),
    "IE": ("IE", ["GB", "US", "AU", "CA", "NZ"], "example.com"),
    "ID": ("ID", ["MY", "PH", "SG", "US", "BN"], "example.com"),
    "CA": ("CA", ["US", "GB", "AU", "PH", "FR"], "example.com"),
}

FEMALE_SHARE = {
    "beauty": 0.86,
    "fashion": 0.76,
    "food": 0.58,
    "fitness": 0.50,
    "gaming": 0.22,
    "tech": 0.27,
    "travel": 0.61,
    "comedy": 0.50,
    "music": 0.55,
    "education": 0.56,
    "parenting": 0.82,
    "pets": 0.66,
    "finance": 0.34,
    "dance": 0.68,
}

AGE_PROFILE = {
    "beauty": [0.10, 0.38, 0.30, 0.13, 0.06, 0.03],
    "fashion": [0.12, 0.40, 0.28, 0.12, 0.05, 0.03],
    "food": [0.06, 0.26, 0.32, 0.20, 0.10, 0.06],
    "fitness": [0.05, 0.30, 0.35, 0.18, 0.08, 0.04],
    "gaming": [0.30, 0.42, 0.18, 0.06, 0.03, 0.01],
    "tech": [0.10, 0.32, 0.33, 0.15, 0.07, 0.03],
    "travel": [0.04, 0.26, 0.36, 0.19, 0.10, 0.05],
    "comedy": [0.18, 0.38, 0.25, 0.11, 0.05, 0.03],
    "music": [0.20, 0.38, 0.24, 0.10, 0.05, 0.03],
    "education": [0.22, 0.34, 0.24, 0.11, 0.06, 0.03],
    "parenting": [0.01, 0.10, 0.42, 0.33, 0.10, 0.04],
    "pets": [0.07, 0.25, 0.32, 0.20, 0.10, 0.06],
    "finance": [0.02, 0.18, 0.38, 0.24, 0.12, 0.06],
    "dance": [0.28, 0.40, 0.18, 0.08, 0.04, 0.02],
}

# name, contact, domain slug, niches, notes, female share, age profile,
# countries {code: weight} or None, products
BRANDS = [
    (
        "Lumière Skin",
        "Camille Laurent",
        "lumiere-skin",
        ["beauty"],
        "French skincare house; strict claims review on every script.",
        0.85,
        [0.06, 0.36, 0.34, 0.15, 0.06, 0.03],
        {"US": 40, "FR": 25, "GB": 15, "CA": 10, "KR": 10},
        ["Glow Serum", "Hydra Mist", "Night Repair", "Daily SPF"],
    ),
    (
        "Seoul Glow Cosmetics",
        "Park Ji-woo",
        "seoulglow",
        ["beauty", "fashion"],
        "K-beauty brand expanding to the US; likes ASMR-style content.",
        0.88,
        [0.14, 0.44, 0.27, 0.10, 0.04, 0.01],
        {"KR": 45, "US": 25, "JP": 15, "ID": 15},
        ["Cushion Compact", "Lip Tint", "Snail Essence", "Sheet Mask"],
    ),
    (
        "Peak Fuel",
        "Derek Lawson",
        "peakfuel",
        ["fitness", "food"],
        "Sports nutrition; wants gym footage and macros on screen.",
        0.38,
        [0.04, 0.34, 0.36, 0.17, 0.07, 0.02],
        {"US": 60, "CA": 20, "GB": 20},
        ["Protein Shake", "Energy Gel", "Pre-Workout", "Recovery Bar"],
    ),
    (
        "Byte Audio",
        "Nina Hoffmann",
        "byteaudio",
        ["tech", "music", "gaming"],
        "Headphones and earbuds; sends review units 2 weeks before embargo.",
        0.40,
        [0.12, 0.38, 0.30, 0.13, 0.05, 0.02],
        {"US": 40, "GB": 15, "DE": 15, "JP": 15, "KR": 15},
        ["Noise-Cancelling Buds", "Studio Headphones", "Gaming Headset", "Pocket Speaker"],
    ),
    (
        "Pixel Forge Games",
        "Ryan Castillo",
        "pixelforge",
        ["gaming", "comedy"],
        "Mobile game publisher; pays per install bonus on top of flat fee.",
        0.28,
        [0.30, 0.42, 0.18, 0.07, 0.02, 0.01],
        {"US": 30, "KR": 20, "JP": 15, "BR": 20, "ID": 15},
        ["Season Pass", "Hero Update", "Beta Launch", "Tournament"],
    ),
    (
        "Wanderly Travel",
        "Sophie Klein",
        "wanderly",
        ["travel"],
        "Booking app; prefers multi-day itineraries with app screen captures.",
        0.60,
        [0.02, 0.24, 0.38, 0.22, 0.10, 0.04],
        {"US": 35, "GB": 25, "DE": 20, "FR": 20},
        ["City Break", "Weekend Getaway", "Hidden Gems", "Road Trip"],
    ),
    (
        "Harvest Table",
        "Molly Garrison",
        "harvesttable",
        ["food", "parenting"],
        "Meal-kit delivery; promo codes mandatory in caption.",
        0.66,
        [0.01, 0.18, 0.40, 0.27, 0.10, 0.04],
        {"US": 75, "CA": 25},
        ["Meal Kit", "Family Box", "15-Minute Dinners", "Veggie Box"],
    ),
    (
        "Hanok Kitchen",
        "Lee Min-seo",
        "hanokkitchen",
        ["food"],
        "Korean noodle and sauce brand; loves spicy challenge formats.",
        0.52,
        [0.10, 0.36, 0.30, 0.14, 0.07, 0.03],
        {"KR": 40, "US": 30, "JP": 15, "ID": 15},
        ["Fire Noodles", "Gochujang Sauce", "Kimchi Ramen", "Tteokbokki Kit"],
    ),
    (
        "Northstar Invest",
        "Arjun Mehta",
        "northstar-invest",
        ["finance", "education"],
        "Investing app; all content needs compliance sign-off (5 business days).",
        0.36,
        [0.00, 0.22, 0.40, 0.24, 0.10, 0.04],
        {"US": 60, "GB": 25, "CA": 15},
        ["Starter Portfolio", "Round-Ups", "ETF Explorer", "Savings Goals"],
    ),
    (
        "Tiny Paws Co.",
        "Emily Hart",
        "tinypaws",
        ["pets"],
        "Premium pet food and treats; vet-reviewed claims only.",
        0.70,
        [0.04, 0.24, 0.34, 0.22, 0.11, 0.05],
        {"US": 45, "GB": 20, "CA": 20, "KR": 15},
        ["Grain-Free Kibble", "Dental Treats", "Cat Crunch", "Puppy Starter"],
    ),
    (
        "Loom & Thread",
        "Isabelle Grant",
        "loomandthread",
        ["fashion"],
        "Sustainable apparel; wants try-on hauls and styling tips.",
        0.74,
        [0.10, 0.38, 0.32, 0.13, 0.05, 0.02],
        {"US": 40, "GB": 20, "FR": 20, "DE": 20},
        ["Capsule Collection", "Denim Edit", "Knitwear", "Linen Line"],
    ),
    (
        "Brightpath Learning",
        "Daniel Osei",
        "brightpath",
        ["education"],
        "Ed-tech app for languages and exam prep.",
        0.55,
        [0.28, 0.38, 0.20, 0.09, 0.04, 0.01],
        {"US": 30, "KR": 20, "ID": 20, "BR": 15, "MX": 15},
        ["Exam Prep", "Language Streak", "Study Planner", "Math Tutor"],
    ),
    (
        "Little Sprout",
        "Rachel Kim",
        "littlesprout",
        ["parenting"],
        "Baby and toddler essentials; no children's faces in close-up.",
        0.86,
        [0.00, 0.12, 0.46, 0.30, 0.09, 0.03],
        {"US": 55, "CA": 25, "GB": 20},
        ["Snack Pouches", "Sleep Sack", "Bath Time", "Toddler Cups"],
    ),
    (
        "Echo Stage",
        "Marco Bellini",
        "echostage",
        ["music", "dance", "comedy"],
        "Music streaming and ticketing; global reach, flexible formats.",
        0.54,
        [0.22, 0.40, 0.22, 0.10, 0.04, 0.02],
        None,
        ["Tour Announce", "Playlist", "Live Sessions", "Festival Pass"],
    ),
    (
        "Stride Athletics",
        "Keisha Moore",
        "stride",
        ["fitness", "dance", "fashion"],
        "Sportswear and running shoes; needs movement-heavy footage.",
        0.52,
        [0.10, 0.36, 0.32, 0.14, 0.06, 0.02],
        {"US": 40, "GB": 20, "DE": 15, "JP": 15, "BR": 10},
        ["Runner Pro", "Studio Leggings", "Court Classic", "Trail Jacket"],
    ),
    (
        "Nimbus Mobile",
        "Owen Fletcher",
        "nimbus-mobile",
        ["tech", "comedy", "travel"],
        "Phone maker; camera-feature demos perform best.",
        0.42,
        None,
        None,
        ["Nimbus X", "Night Camera", "Fold Flip", "eSIM Travel"],
    ),
]

CAMPAIGN_KINDS = [
    "Launch",
    "Challenge",
    "Campaign",
    "Drop",
    "Series",
    "Collab",
    "Takeover",
    "Bundle",
    "Gift Guide",
    "Review",
    "Tutorial",
    "Giveaway",
]

CAMPAIGN_NOTES = [
    "Brand wants 60-day usage rights.",
    "Whitelisting requested for paid ads.",
    "Script approval needed 72h before posting.",
    "Product seeding shipped.",
    "Counter-offer sent, waiting on brand.",
    "Exclusivity clause: 30 days, category only.",
    "Invoice sent.",
    "Paid in full.",
    "Brand asked for a second cut with captions.",
    "Budget confirmed by brand's agency.",
    "Requested raw footage, declined.",
    "Posting date moved once at brand's request.",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def split_thousandths(weights: list[float]) -> list[int]:
    """Turn positive weights into integer thousandths (each >= 1) summing to 1000.

    Rounding drift is absorbed by the largest bucket so no share goes negative.
    """
    total = sum(weights)
    parts = [max(1, round(w / total * 1000)) for w in weights]
    diff = 1000 - sum(parts)
    biggest = max(range(len(parts)), key=lambda i: parts[i])
    parts[biggest] += diff
    assert all(p >= 1 for p in parts) and sum(parts) == 1000
    return parts


def fmt_share(thousandths: int) -> str:
    return f"{thousandths / 1000:.3f}"


def fmt_money(amount: float | int, currency: str) -> str:
    if currency in ("KRW", "JPY"):
        return str(int(amount))
    return f"{amount:.2f}"


def to_currency(usd: float, currency: str) -> int:
    """Convert a USD amount to `currency`, rounded to a 'nice' step."""
    step = ROUND_TO[currency]
    value = usd * FX[currency]
    return max(step, int(round(value / step)) * step)


def fmt_pct(bp: int) -> str:
    """Basis points -> '6.25%' (one or two decimals)."""
    s = f"{bp // 100}.{bp % 100:02d}"
    if s.endswith("0"):
        s = s[:-1]
    return s + "%"


def fmt_commission(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def noisy_weights(rng: random.Random, base: list[float], lo=0.75, hi=1.3) -> list[float]:
    return [max(0.004, b * rng.uniform(lo, hi)) for b in base]


def gender_weights(rng: random.Random, female: float) -> list[float]:
    f = min(0.95, max(0.05, female + rng.uniform(-0.06, 0.06)))
    other = rng.uniform(0.008, 0.03)
    return [f * (1 - other), (1 - f) * (1 - other), other]


def season_label(d: date, region: str, rng: random.Random) -> str:
    m = d.month
    special = []
    if m in (8, 9):
        special.append("Back-to-School")
    if m in (11, 12):
        special.append("Holiday")
    if m == 11:
        special.append("Black Friday")
    if m == 1:
        special.append("New Year")
    if m == 2:
        special.append("Valentine's")
    if m == 9 and region == "KR":
        special.append("Chuseok")
    season = {
        12: "Winter",
        1: "Winter",
        2: "Winter",
        3: "Spring",
        4: "Spring",
        5: "Spring",
        6: "Summer",
        7: "Summer",
        8: "Summer",
    }.get(m, "Fall")
    if special and rng.random() < 0.6:
        return rng.choice(special)
    return season


def write_csv(name: str, header: list[str], rows: list[list]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_json(name: str, obj) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as fh:
        fh.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


# ---------------------------------------------------------------------------
# generation
# ---------------------------------------------------------------------------


def generate() -> None:
    rng = random.Random(SEED)
    iso = date.isoformat

    # ---- manifest -------------------------------------------------------
    write_json(
        "manifest.json",
        {
            "anchor": ANCHOR.isoformat(),
            "description": (
                "Demo roster for the talent app: fictional TikTok-first creators, "
                "brands, monthly metrics, audience demographics, rate cards and "
                "campaigns. All dates are relative to the anchor; the loader shifts "
                "them by (today - anchor). Regenerate with generate.py."
            ),
        },
    )

    # ---- brands ---------------------------------------------------------
    brands_out = []
    for name, contact, slug, _niches, notes, female, age, countries, _p in BRANDS:
        if age is None:
            age = [0.12, 0.36, 0.30, 0.14, 0.06, 0.02]
        target = []
        g = split_thousandths(gender_weights(rng, female))
        for b, v in zip(GENDER_BUCKETS, g, strict=False):
            target.append({"dimension": "gender", "bucket": b, "share": v / 1000})
        a = split_thousandths(
            noisy_weights(rng, age, 0.9, 1.1)
            if min(age) > 0
            else [max(0.0, x) or 0.004 for x in age]
        )
        for b, v in zip(AGE_BUCKETS, a, strict=False):
            target.append({"dimension": "age", "bucket": b, "share": v / 1000})
        if countries:
            codes = list(countries)
            c = split_thousandths([countries[k] * rng.uniform(0.9, 1.1) for k in codes])
            for b, v in zip(codes, c, strict=False):
                target.append({"dimension": "country", "bucket": b, "share": v / 1000})
        brands_out.append(
            {
                "name": name,
                "contact_name": contact,
                "email": f"partnerships@{slug}.example",
                "website": f"https://{slug}.example",
                "notes": notes,
                "target": target,
            }
        )
    write_json("brands.json", brands_out)

    # ---- creators + metrics --------------------------------------------
    n = len(CREATORS)
    special_idx = rng.sample(range(1, n), 3)
    declining = set(special_idx[:2])
    viral = special_idx[2]

    log_lo, log_hi = math.log(8_000), math.log(6_000_000)
    creators_rows, metrics_rows, demo_rows, rates_rows = [], [], [], []
    creator_info = []
    for i, (name, handle, niche, tags, region, currency) in enumerate(CREATORS):
        # final followers, log-uniform-ish
        final = int(math.exp(rng.uniform(log_lo, log_hi)))
        if i == 0:
            final = rng.randint(380_000, 560_000)
        if i == viral:
            final = max(final, 900_000)
        final = min(final, 6_000_000)

        # monthly growth factors for the 11 transitions
        if i in declining:
            factors = [
                rng.uniform(0.972, 0.999) if rng.random() < 0.85 else rng.uniform(1.0, 1.01)
                for _ in range(11)
            ]
        else:
            mu = rng.uniform(0.008, 0.06)
            factors = [min(1.08, max(1.005, 1 + mu * rng.uniform(0.5, 1.5))) for _ in range(11)]
        viral_month = None
        if i == viral:
            viral_month = rng.randint(5, 9)  # transition into this month index
            factors[viral_month - 1] = rng.uniform(2.1, 2.6)
            factors[viral_month] = rng.uniform(1.12, 1.2)
        start = final / math.prod(factors)
        followers = []
        cur = start
        for k in range(12):
            if k > 0:
                cur *= factors[k - 1]
            followers.append(int(round(cur)))
        followers[-1] = final

        # base engagement: smaller creators higher
        pos = (math.log10(final) - math.log10(8_000)) / (math.log10(6_000_000) - math.log10(8_000))
        er_base = 0.125 - 0.085 * pos + rng.uniform(-0.012, 0.012)
        six_base = rng.uniform(0.34, 0.62)
        comp_ratio = rng.uniform(0.38, 0.72)
        view_frac = rng.uniform(0.16, 0.42)
        vids_base = rng.randint(8, 28)
        like_share = rng.uniform(0.86, 0.91)
        comment_share = rng.uniform(0.045, 0.09)

        last_bp = None
        for k, month in enumerate(MONTHS):
            f = followers[k]
            frac = view_frac * rng.uniform(0.7, 1.35)
            if viral_month is not None and k == viral_month:
                frac = 0.58
            frac = min(0.60, max(0.10, frac))
            avg_views = int(round(f * frac))
            videos = min(40, max(4, vids_base + rng.randint(-5, 6)))
            target = min(0.136, max(0.022, er_base * rng.uniform(0.88, 1.12)))
            impressions = avg_views * videos
            total = int(round(target * impressions))
            ls = min(0.92, max(0.85, like_share + rng.uniform(-0.01, 0.01)))
            cs = min(0.10, 0.98 - ls, max(0.04, comment_share + rng.uniform(-0.008, 0.008)))
            likes = int(round(total * ls))
            comments = int(round(total * cs))
            shares = total - likes - comments
            er = (likes + comments + shares) / impressions
            bp = int(round(er * 10000))
            six = min(0.70, max(0.25, six_base + rng.uniform(-0.04, 0.04)))
            comp = min(0.55, max(0.10, six * comp_ratio * rng.uniform(0.93, 1.07)))
            metrics_rows.append(
                [
                    handle,
                    iso(month),
                    f,
                    avg_views,
                    f"{six:.4f}",
                    f"{comp:.4f}",
                    f"{bp / 10000:.4f}",
                    likes,
                    comments,
                    shares,
                    videos,
                ]
            )
            last_bp = bp

        # socials
        base_slug = handle[1:]
        r = rng.random()
        if r < 0.5:
            ig = handle
        elif r < 0.78:
            ig = "@" + base_slug.replace(".", "_")
        else:
            ig = ""
        yt = "@" + base_slug.replace(".", "").replace("_", "") if rng.random() < 0.55 else ""
        if i == 0:
            ig, yt = handle, "@haneuleats"

        _, _, tld = REGIONS[region]
        email = f"{base_slug.replace('_', '.')}@{tld}"
        phone = ""
        if rng.random() < 0.6:
            tail = f"{rng.randint(100, 199):04d}"
            phone = {
                "KR": f"+82 10-5555-{tail}",
                "JP": f"+81 90-5555-{tail}",
                "GB": f"+44 7700 900{tail[1:]}",
                "US": f"+1 {rng.choice(['212', '310', '415', '512', '646'])}-555-{tail}",
                "CA": f"+1 {rng.choice(['416', '604'])}-555-{tail}",
            }.get(region, "")
        commission = rng.choice([10, 12, 12.5, 15, 15, 15, 17.5, 18, 20, 20, 22.5, 25])

        creators_rows.append(
            [
                name,
                handle,
                ig,
                yt,
                final,
                fmt_pct(last_bp),
                niche,
                tags,
                email,
                phone,
                fmt_commission(commission),
                CREATOR_NOTES.get(handle, ""),
            ]
        )

        # ---- demographics ------------------------------------------------
        g = split_thousandths(gender_weights(rng, FEMALE_SHARE[niche]))
        for b, v in zip(GENDER_BUCKETS, g, strict=False):
            demo_rows.append([handle, iso(ANCHOR), "gender", b, fmt_share(v)])
        a = split_thousandths(noisy_weights(rng, AGE_PROFILE[niche]))
        for b, v in zip(AGE_BUCKETS, a, strict=False):
            demo_rows.append([handle, iso(ANCHOR), "age", b, fmt_share(v)])
        primary, others, _ = REGIONS[region]
        k_countries = rng.randint(4, 6)
        chosen = [primary] + rng.sample(others, k_countries - 1)
        primary_w = rng.uniform(0.42, 0.75)
        rest = [rng.uniform(0.3, 1.0) for _ in chosen[1:]]
        rest.sort(reverse=True)
        rest_total = sum(rest)
        weights = [primary_w] + [(1 - primary_w) * x / rest_total for x in rest]
        c = split_thousandths(weights)
        for b, v in zip(chosen, c, strict=False):
            demo_rows.append([handle, iso(ANCHOR), "country", b, fmt_share(v)])

        # ---- rates -------------------------------------------------------
        video_usd = max(100.0, final / 1000 * rng.uniform(10, 25))
        mult = {
            "video": 1.0,
            "live": rng.uniform(1.3, 1.7),
            "story": rng.uniform(0.3, 0.5),
            "bundle": 2.5 * rng.uniform(0.97, 1.03),
            "ugc": rng.uniform(0.5, 0.8),
        }
        extra = rng.sample(DELIVERABLES[1:], rng.randint(2, 4))
        picked = [d for d in DELIVERABLES if d == "video" or d in extra]
        updated = ANCHOR - timedelta(days=rng.randint(3, 265))
        for d in picked:
            amt = to_currency(video_usd * mult[d], currency)
            rates_rows.append([handle, d, fmt_money(amt, currency), currency, iso(updated)])

        creator_info.append(
            {
                "handle": handle,
                "niche": niche,
                "region": region,
                "currency": currency,
                "video_usd": video_usd,
            }
        )

    write_csv(
        "creators.csv",
        [
            "name",
            "tiktok_handle",
            "instagram_handle",
            "youtube_handle",
            "followers",
            "engagement_rate",
            "niche",
            "tags",
            "email",
            "phone",
            "commission_pct",
            "notes",
        ],
        creators_rows,
    )
    write_csv(
        "metrics.csv",
        [
            "tiktok_handle",
            "captured_on",
            "followers",
            "avg_views",
            "six_sec_view_rate",
            "completion_rate",
            "engagement_rate",
            "likes",
            "comments",
            "shares",
            "videos_posted",
        ],
        metrics_rows,
    )
    write_csv(
        "demographics.csv",
        ["tiktok_handle", "captured_on", "dimension", "bucket", "share"],
        demo_rows,
    )
    write_csv(
        "rates.csv",
        ["tiktok_handle", "deliverable", "amount", "currency", "updated_on"],
        rates_rows,
    )

    # ---- campaigns ------------------------------------------------------
    # campaign count per creator: ~14 small (2-3), the rest 4-11, first = 11
    while True:
        small = set(rng.sample(range(1, n), 14))
        counts = []
        for i in range(n):
            if i == 0:
                counts.append(11)
            elif i in small:
                counts.append(rng.choice([2, 2, 3, 3, 3]))
            else:
                counts.append(rng.choice([4, 4, 5, 5, 5, 6, 6, 7, 8, 9]))
        total = sum(counts)
        status_counts = {}
        raw = {s: w * total / 100 for s, w in STATUS_MIX}
        for s in raw:
            status_counts[s] = int(raw[s])
        leftover = total - sum(status_counts.values())
        for s in sorted(raw, key=lambda s: raw[s] - int(raw[s]), reverse=True)[:leftover]:
            status_counts[s] += 1
        big = [i for i in range(n) if counts[i] >= 4]
        group_sizes = Counter()
        for s, c in status_counts.items():
            group_sizes[GROUP_OF[s]] += c
        if (
            total >= 175
            and sum(1 for c in counts if c >= 8) >= 4
            and all(group_sizes[g] >= len(big) for g in STATUS_GROUPS)
        ):
            break

    pool = Counter(status_counts)

    def take_from_group(group: str) -> str:
        cands = [s for s in STATUS_GROUPS[group] if pool[s] > 0]
        s = rng.choices(cands, weights=[pool[x] for x in cands])[0]
        pool[s] -= 1
        return s

    assigned: dict[int, list[str]] = {}
    for i in big:
        assigned[i] = [take_from_group(g) for g in STATUS_GROUPS]
    remaining = [s for s, _w in STATUS_MIX for _ in range(pool[s])]
    rng.shuffle(remaining)
    for i in range(n):
        lst = assigned.setdefault(i, [])
        while len(lst) < counts[i]:
            lst.append(remaining.pop())
    assert not remaining

    brand_by_niche = defaultdict(list)
    for b in BRANDS:
        for nn in b[3]:
            brand_by_niche[nn].append(b)

    A = ANCHOR
    d = lambda days: A + timedelta(days=days)  # noqa: E731
    campaigns = []
    due_soon_left = 6
    overdue_left = 2
    for i in range(n):
        info = creator_info[i]
        for status in assigned[i]:
            recv = resp = start = end = None
            group = GROUP_OF[status]
            if group == "pending":
                recv = d(-rng.randint(0, 20))
                if due_soon_left > 0 and rng.random() < 0.3:
                    resp = d(rng.randint(1, 3))
                    due_soon_left -= 1
                else:
                    resp = d(rng.randint(1, 21))
                start = resp + timedelta(days=rng.randint(3, 30))
                end = start + timedelta(days=rng.randint(7, 45))
            elif status == "accepted":
                recv = d(-rng.randint(10, 45))
                resp = recv + timedelta(days=rng.randint(2, 8))
                start = d(rng.randint(2, 35))
                end = start + timedelta(days=rng.randint(7, 45))
            elif status == "in_production":
                start = d(-rng.randint(3, 40))
                if overdue_left > 0 and rng.random() < 0.25:
                    end = d(-rng.randint(1, 5))
                    start = min(start, end - timedelta(days=7))
                    overdue_left -= 1
                else:
                    end = d(rng.randint(1, 40))
                recv = start - timedelta(days=rng.randint(10, 40))
                resp = recv + timedelta(days=rng.randint(3, 10))
            elif status == "completed":
                end = d(-rng.randint(2, 300))
                start = end - timedelta(days=rng.randint(7, 45))
                recv = start - timedelta(days=rng.randint(10, 35))
                resp = recv + timedelta(days=rng.randint(2, 9))
            elif status in ("declined", "expired"):
                recv = d(-rng.randint(15, 200))
                resp = recv + timedelta(days=rng.randint(3, 14))
                if rng.random() < (0.5 if status == "declined" else 0.4):
                    start = resp + timedelta(days=rng.randint(5, 30))
                    end = start + timedelta(days=rng.randint(7, 30))
            elif status == "cancelled":
                recv = d(-rng.randint(80, 250))
                resp = recv + timedelta(days=rng.randint(3, 10))
                start = resp + timedelta(days=rng.randint(5, 25))
                end = start + timedelta(days=rng.randint(7, 30))

            # brand + name
            if rng.random() < 0.78 and brand_by_niche[info["niche"]]:
                brand = rng.choice(brand_by_niche[info["niche"]])
            else:
                brand = rng.choice(BRANDS)
            product = rng.choice(brand[8])
            kind = rng.choice(CAMPAIGN_KINDS)
            season = season_label(start or recv, info["region"], rng)
            form = rng.random()
            if form < 0.45:
                cname = f"{season} {product} {kind}"
            elif form < 0.8:
                cname = f"{product} {kind}"
            else:
                cname = f"{season} {kind}"

            # fee
            currency = info["currency"]
            if currency != "USD" and rng.random() < 0.1:
                currency = "USD"
            fee_usd = (
                info["video_usd"] * rng.choice([1, 1, 1.5, 2, 2, 2.5, 3]) * rng.uniform(0.85, 1.25)
            )
            fee = to_currency(fee_usd, currency)

            note = rng.choice(CAMPAIGN_NOTES) if rng.random() < 0.22 else ""
            campaigns.append(
                {
                    "handle": info["handle"],
                    "brand": brand[0],
                    "name": cname,
                    "fee": fmt_money(fee, currency),
                    "currency": currency,
                    "status": status,
                    "recv": recv,
                    "resp": resp,
                    "start": start,
                    "end": end,
                    "notes": note,
                    "order": len(campaigns),
                }
            )

    campaigns.sort(key=lambda c: (c["recv"], c["order"]))
    rows = []
    for k, c in enumerate(campaigns, 1):
        rows.append(
            [
                f"CMP-2026-{k:04d}",
                c["handle"],
                c["brand"],
                c["name"],
                c["fee"],
                c["currency"],
                c["status"],
                *(iso(x) if x else "" for x in (c["recv"], c["resp"], c["start"], c["end"])),
                c["notes"],
            ]
        )
    write_csv(
        "campaigns.csv",
        [
            "external_id",
            "tiktok_handle",
            "brand",
            "name",
            "fee",
            "currency",
            "status",
            "offer_received_on",
            "respond_by",
            "start_on",
            "end_on",
            "notes",
        ],
        rows,
    )


# ---------------------------------------------------------------------------
# self-check
# ---------------------------------------------------------------------------


def _read_csv(name: str, header: list[str]) -> list[dict]:
    raw = (HERE / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}: BOM"
    assert b"\r\n" not in raw, f"{name}: CRLF"
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        got = next(reader)
        assert got == header, f"{name}: header {got}"
        return [dict(zip(header, r, strict=False)) for r in reader]


def _thousandths(s: str) -> int:
    assert re.fullmatch(r"[01]\.\d{3}", s), s
    return int(s.replace(".", ""))


def check() -> None:
    A = ANCHOR
    D = date.fromisoformat

    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["anchor"] == "2026-11-01" and manifest["description"]

    creators = _read_csv(
        "creators.csv",
        [
            "name",
            "tiktok_handle",
            "instagram_handle",
            "youtube_handle",
            "followers",
            "engagement_rate",
            "niche",
            "tags",
            "email",
            "phone",
            "commission_pct",
            "notes",
        ],
    )
    assert len(creators) >= 36
    handles = [c["tiktok_handle"] for c in creators]
    assert len(set(handles)) == len(handles), "duplicate handles"
    niches = {c["niche"] for c in creators}
    assert niches >= set(FEMALE_SHARE), niches
    for c in creators:
        assert re.fullmatch(r"@[a-z0-9._]+", c["tiktok_handle"]), c["tiktok_handle"]
        for k in ("instagram_handle", "youtube_handle"):
            assert c[k] == "" or re.fullmatch(r"@[a-z0-9._]+", c[k]), c[k]
        assert re.fullmatch(r"\d+", c["followers"])
        assert 8_000 <= int(c["followers"]) <= 6_000_000
        assert re.fullmatch(r"\d{1,2}\.\d{1,2}%", c["engagement_rate"]), c["engagement_rate"]
        assert re.fullmatch(r"[a-z0-9]+(;[a-z0-9]+){0,3}", c["tags"]), c["tags"]
        assert re.fullmatch(r"[a-z0-9._]+@example\.[a-z.]+", c["email"]), c["email"]
        assert c["phone"] == "" or "555" in c["phone"] or "7700 900" in c["phone"]
        assert 10 <= float(c["commission_pct"]) <= 25
    assert any("," in c["notes"] for c in creators)
    assert any('"' in c["notes"] for c in creators)
    assert sum(1 for c in creators if c["notes"]) >= len(creators) // 3
    assert sum(1 for c in creators if re.search(r"[\uac00-\ud7a3]", c["name"])) >= 8

    # brands
    brands = json.loads((HERE / "brands.json").read_text(encoding="utf-8"))
    assert len(brands) >= 12
    brand_names = {b["name"] for b in brands}
    assert len(brand_names) == len(brands)
    with_country = 0
    for b in brands:
        assert set(b) == {"name", "contact_name", "email", "website", "notes", "target"}
        assert b["website"].startswith("https://") and b["website"].endswith(".example")
        dims = defaultdict(list)
        for t in b["target"]:
            assert round(t["share"], 3) == t["share"] and 0 <= t["share"] <= 1
            dims[t["dimension"]].append(t)
        assert {"gender", "age"} <= set(dims) <= {"gender", "age", "country"}
        assert [t["bucket"] for t in dims["gender"]] == GENDER_BUCKETS
        assert [t["bucket"] for t in dims["age"]] == AGE_BUCKETS
        if "country" in dims:
            with_country += 1
            assert 2 <= len(dims["country"]) <= 6
            for t in dims["country"]:
                assert re.fullmatch(r"[A-Z]{2}", t["bucket"])
        for ts in dims.values():
            assert sum(round(t["share"] * 1000) for t in ts) == 1000
    assert with_country > len(brands) / 2

    # metrics
    metrics = _read_csv(
        "metrics.csv",
        [
            "tiktok_handle",
            "captured_on",
            "followers",
            "avg_views",
            "six_sec_view_rate",
            "completion_rate",
            "engagement_rate",
            "likes",
            "comments",
            "shares",
            "videos_posted",
        ],
    )
    by_handle = defaultdict(list)
    for m in metrics:
        by_handle[m["tiktok_handle"]].append(m)
    assert set(by_handle) == set(handles)
    month_strs = [x.isoformat() for x in MONTHS]
    for c in creators:
        ms = by_handle[c["tiktok_handle"]]
        assert [m["captured_on"] for m in ms] == month_strs
        for m in ms:
            for k in ("six_sec_view_rate", "completion_rate", "engagement_rate"):
                assert re.fullmatch(r"0\.\d{4}", m[k]), m[k]
            f, v = int(m["followers"]), int(m["avg_views"])
            assert 0.10 * f - 1 <= v <= 0.60 * f + 1
            assert 0.25 <= float(m["six_sec_view_rate"]) <= 0.70
            assert 0.10 <= float(m["completion_rate"]) <= 0.55
            er = float(m["engagement_rate"])
            assert 0.02 <= er <= 0.14
            likes, com, sh, vids = (
                int(m[k]) for k in ("likes", "comments", "shares", "videos_posted")
            )
            assert 4 <= vids <= 40 and min(likes, com, sh) >= 0
            tot = likes + com + sh
            assert round(tot / (v * vids), 4) == er
            assert 0.84 <= likes / tot <= 0.93 and 0.035 <= com / tot <= 0.105
        last = ms[-1]
        assert last["followers"] == c["followers"]
        bp = round(float(last["engagement_rate"]) * 10000)
        assert round(float(c["engagement_rate"].rstrip("%")) * 100) == bp

    # demographics
    demo = _read_csv(
        "demographics.csv", ["tiktok_handle", "captured_on", "dimension", "bucket", "share"]
    )
    dd = defaultdict(lambda: defaultdict(list))
    for r in demo:
        assert r["captured_on"] == "2026-11-01"
        dd[r["tiktok_handle"]][r["dimension"]].append(r)
    assert set(dd) == set(handles)
    for h, dims in dd.items():
        assert set(dims) == {"gender", "age", "country"}
        assert [r["bucket"] for r in dims["gender"]] == GENDER_BUCKETS
        assert [r["bucket"] for r in dims["age"]] == AGE_BUCKETS
        cs = [r["bucket"] for r in dims["country"]]
        assert 4 <= len(cs) <= 6 and len(set(cs)) == len(cs)
        assert all(re.fullmatch(r"[A-Z]{2}", x) for x in cs), cs
        for rows in dims.values():
            assert sum(_thousandths(r["share"]) for r in rows) == 1000, h

    # rates
    rates = _read_csv(
        "rates.csv", ["tiktok_handle", "deliverable", "amount", "currency", "updated_on"]
    )
    rc = defaultdict(list)
    for r in rates:
        rc[r["tiktok_handle"]].append(r)
        assert r["deliverable"] in DELIVERABLES
        if r["currency"] in ("KRW", "JPY"):
            assert re.fullmatch(r"\d+", r["amount"])
        else:
            assert re.fullmatch(r"\d+\.\d{2}", r["amount"])
        u = D(r["updated_on"])
        assert A - timedelta(days=274) <= u <= A
    assert set(rc) == set(handles)
    for rs in rc.values():
        ds = [r["deliverable"] for r in rs]
        assert 3 <= len(ds) <= 5 and len(set(ds)) == len(ds)
    assert {r["currency"] for r in rates} >= {"USD", "KRW", "EUR"}

    # campaigns
    camps = _read_csv(
        "campaigns.csv",
        [
            "external_id",
            "tiktok_handle",
            "brand",
            "name",
            "fee",
            "currency",
            "status",
            "offer_received_on",
            "respond_by",
            "start_on",
            "end_on",
            "notes",
        ],
    )
    assert len(camps) >= 170
    ids = [c["external_id"] for c in camps]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"CMP-2026-\d{4}", x) for x in ids)
    assert {c["currency"] for c in camps} >= {"USD", "KRW", "EUR"}
    per = defaultdict(list)
    for c in camps:
        assert c["tiktok_handle"] in set(handles)
        assert c["brand"] in brand_names, c["brand"]
        assert c["name"]
        st = c["status"]
        assert st in GROUP_OF, st
        per[c["tiktok_handle"]].append(c)
        if c["currency"] in ("KRW", "JPY"):
            assert re.fullmatch(r"\d+", c["fee"])
        else:
            assert re.fullmatch(r"\d+\.\d{2}", c["fee"])
        ds = [
            D(c[k]) if c[k] else None
            for k in ("offer_received_on", "respond_by", "start_on", "end_on")
        ]
        present = [x for x in ds if x]
        assert present == sorted(present), c
        recv, resp, start, end = ds
        g = GROUP_OF[st]
        if g == "pending":
            assert A - timedelta(days=20) <= recv <= A
            assert A + timedelta(days=1) <= resp <= A + timedelta(days=21)
            assert start > A and end > start
        elif st == "accepted":
            assert start > A and end > start and resp <= A
        elif st == "in_production":
            assert start < A and end >= A - timedelta(days=7)
        elif st == "completed":
            assert A - timedelta(days=366) <= start and end < A
        elif st in ("declined", "expired"):
            assert resp < A
        elif st == "cancelled":
            assert all(x < A for x in present) and len(present) == 4
    due_soon = sum(
        1
        for c in camps
        if GROUP_OF[c["status"]] == "pending" and D(c["respond_by"]) <= A + timedelta(days=3)
    )
    assert due_soon >= 3
    counts = Counter(c["status"] for c in camps)
    assert set(counts) == set(GROUP_OF)
    assert set(per) == set(handles)
    assert all(len(v) >= 2 for v in per.values())
    assert sum(1 for v in per.values() if len(v) >= 8) >= 3
    for h, cs in per.items():
        if len(cs) >= 4:
            assert {GROUP_OF[c["status"]] for c in cs} == set(STATUS_GROUPS), h
    first = creators[0]["tiktok_handle"]
    assert {GROUP_OF[c["status"]] for c in per[first]} == set(STATUS_GROUPS)

    print(
        f"check ok: {len(creators)} creators, {len(brands)} brands, "
        f"{len(metrics)} metrics, {len(demo)} demographics, {len(rates)} rates, "
        f"{len(camps)} campaigns"
    )
    print("status mix:", dict(sorted(counts.items(), key=lambda kv: -kv[1])))
    fg = Counter(GROUP_OF[c["status"]] for c in per[first])
    print(f"first creator {creators[0]['name']} {first}: {dict(fg)}")


if __name__ == "__main__":
    generate()
    check()
