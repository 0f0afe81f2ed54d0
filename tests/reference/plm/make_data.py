"""Generate panel_data.csv for the plm reference (seed fixed): 300 youth x 3 waves, balanced.

The predictor's person mean is correlated with the youth effect, so fixed and random effects
differ and the Mundlak test has something to find.
"""
import numpy as np
import pandas as pd

rng = np.random.default_rng(31)
n, T = 300, 3
i = np.repeat(np.arange(n), T)
alpha = rng.normal(0, 0.7, n)
x = 0.6 * alpha[i] + rng.normal(0, 1, n * T)
c = rng.normal(0, 1, n * T)
y = 1 + 0.4 * x - 0.2 * c + alpha[i] + rng.normal(0, 0.8, n * T)
df = pd.DataFrame({"youth_id": [f"y{k:03d}" for k in i], "wave": np.tile([1, 2, 3], n),
                   "y": y, "x": x, "c": c})
df.to_csv("panel_data.csv", index=False, float_format="%.10g")
