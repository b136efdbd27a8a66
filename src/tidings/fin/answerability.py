"""Whether the content answers a question: a logistic model over signals Fin already computes.

The coefficients are data (`answerability.json`), fitted by `bench/fin_calibrate.py` on the developer
sets' in-scope questions (answered with the right page) against their out-of-scope ones; the script
reports each set's figures under the coefficients fitted on the other. Features are properties of the
question and of its best page (cosine similarity, margin to the next page, IDF-weighted coverage, the
lexical score's share, the share of the question's words the library never uses), so no constant
belongs to any one question.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

COEFFICIENTS = Path(__file__).with_name("answerability.json")
# Answer when the model thinks it more likely than not that the content answers.
THRESHOLD = 0.5


@cache
def coefficients() -> dict[str, Any]:
    return json.loads(COEFFICIENTS.read_text())


def probability(values: dict[str, float], *, dense: bool) -> float:
    model = coefficients()["dense" if dense else "lexical"]
    z = model["intercept"] + sum(weight * values[name] for name, weight in model["weights"].items())
    return 1.0 / (1.0 + math.exp(-z))
