"""Make the double-coded example codes (double_coded.csv) that irr_reference.R checks.

Run once: python tests/reference/irr/make_codes.py (the CSV is committed).
"""

from pathlib import Path

import numpy as np
import pandas as pd

DIMS = [("power", "care"), ("power", "control"), ("recognition", "recognition"),
        ("responsiveness", "responsiveness"), ("mutuality", "friend_like"),
        ("mutuality", "professional")]


def main() -> None:
    rng = np.random.default_rng(20240611)
    rows = []
    seg = 0
    for y in range(40):
        youth = f"Y{y:03d}"
        plans = [("youth_interview", 3)] + ([("pmk_interview", 2)] if y < 25 else [])
        for source, n in plans:
            for _ in range(n):
                seg += 1
                sid = f"S{seg:04d}"
                m, d = DIMS[rng.integers(len(DIMS))]
                level = int(rng.integers(0, 3))
                inst = "counterfactual" if rng.random() < 0.15 else "confirmatory"
                base = dict(segment_id=sid, youth_id=youth, source=source,
                            wave=int(rng.integers(1, 4)), mechanism=m, dimension=d,
                            level=level, instance=inst, actor="social_worker",
                            excerpt=f"excerpt {sid}")
                rows.append(dict(base, coder="coder_a"))
                if rng.random() < 0.5:
                    second = dict(base, coder="coder_b")
                    if rng.random() < 0.2:
                        m2, d2 = DIMS[rng.integers(len(DIMS))]
                        second.update(mechanism=m2, dimension=d2)
                    if rng.random() < 0.3:
                        second["level"] = int(np.clip(level + rng.choice([-1, 1]), 0, 2))
                    rows.append(second)
    out = Path(__file__).with_name("double_coded.csv")
    pd.DataFrame(rows).to_csv(out, index=False)


if __name__ == "__main__":
    main()
