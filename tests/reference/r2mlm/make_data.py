"""Generate r2mlm_data.csv, the data of the r2mlm/performance reference (run once; seed fixed).

Unbalanced two-level data: 160 clusters of 1 to 6 observations (as youth with missing waves
but more waves so random slopes are identified), a level-1 predictor x (mixed: varies within
and between clusters), its cluster mean x_b and cluster-mean-centred deviation x_w, a second
level-1 predictor z (z_w centred), and a level-2 covariate w.
"""
import numpy as np
import pandas as pd

rng = np.random.default_rng(20260127)
k = 160
sizes = rng.integers(1, 7, size=k)
ids = np.repeat(np.arange(1, k + 1), sizes)
n = ids.size
u_x = rng.normal(0, 1, k)[ids - 1]
x = 3 + u_x + rng.normal(0, 1.2, n)
z = rng.normal(0, 1, n) + 0.5 * rng.normal(0, 1, k)[ids - 1]
w = rng.normal(0, 1, k)[ids - 1]
df = pd.DataFrame({"id": ids, "x": x, "z": z, "w": w})
for col in ("x", "z"):
    m = df.groupby("id")[col].transform("mean")
    df[f"{col}_b"] = m
    df[f"{col}_w"] = df[col] - m
u0 = rng.normal(0, 0.8, k)[ids - 1]
u1 = rng.normal(0, 0.35, k)[ids - 1]
df["y"] = (1 + 0.4 * df["x_w"] + 0.7 * df["x_b"] - 0.3 * df["z_w"] + 0.25 * df["w"]
           + u0 + u1 * df["x_w"] + rng.normal(0, 1, n))
df = df[["id", "y", "x", "x_w", "x_b", "z", "z_w", "w"]]
df.to_csv("r2mlm_data.csv", index=False, float_format="%.10g")
print(n, "rows")
