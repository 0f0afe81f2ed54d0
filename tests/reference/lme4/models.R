# Reference fits for youthtransitions' mixed-model engine (tests/models/test_lmm_reference.py).
# Run from this folder:  python make_synthetic.py && Rscript models.R
# Writes the data sets (data_*.csv) and one JSON per model (fits.json) with lme4 1.1 /
# lmerTest 3.1 estimates: fixed effects, SEs, Satterthwaite df, VarCorr, sigma^2, logLik,
# AIC, BIC, isSingular, theta.
suppressMessages({library(lme4); library(lmerTest); library(jsonlite)})
source("fit_record.R")

## ---- data sets ---------------------------------------------------------------------------
set.seed(20261127)
make_panel <- function(G, T, b0_sd, b1_sd, rho = 0, sigma = 1) {
  id <- rep(seq_len(G), each = T); wave <- rep(seq_len(T) - 1, G)
  z1 <- rnorm(G); z2 <- rnorm(G)
  b0 <- b0_sd * z1; b1 <- b1_sd * (rho * z1 + sqrt(1 - rho^2) * z2)
  x <- rnorm(G * T) + 0.5 * rnorm(G)[id]
  data.frame(id = id, wave = wave, x = x,
             y = 2 + 0.4 * x + 0.25 * wave + b0[id] + b1[id] * wave + rnorm(G * T, 0, sigma))
}
# (a) balanced 3 waves, random intercept
a <- make_panel(300, 3, 0.8, 0)
# (b) unbalanced: whole waves missing, NA in the response and in x
b <- make_panel(400, 3, 0.9, 0.3, rho = 0.3)
b <- b[runif(nrow(b)) > 0.15, ]
b$y[sample(nrow(b), 25)] <- NA
b$x[sample(nrow(b), 15)] <- NA
# (c) random intercept + slope, 5 waves
cc <- make_panel(250, 5, 1.0, 0.4, rho = -0.4)
# (d) between-group predictor (constant within id) and a 3-level factor
d <- make_panel(300, 3, 0.7, 0)
d$female <- rbinom(300, 1, 0.5)[d$id]
d$site <- c("north", "south", "west")[sample(3, 300, replace = TRUE)][d$id]
d$y <- d$y + 0.6 * d$female + c(north = 0, south = -0.5, west = 0.3)[d$site]
# (e1) singular: no between-group variance at all
e1 <- make_panel(200, 3, 0, 0)
# (e2) statsmodels issue 10239: between-group fixed effect, near-zero intercept variance
e2 <- make_panel(200, 3, 0.02, 0)
e2$g <- rnorm(200)[e2$id]
e2$y <- e2$y + 1.5 * e2$g
# (g) three random terms (q = 3)
g <- make_panel(300, 5, 1.0, 0.3, rho = 0.2)
g$x2 <- rnorm(nrow(g))
g$y <- g$y + 0.5 * g$x2 + rnorm(300, 0, 0.4)[g$id] * g$x2

# (h) extreme variance ratio: between-youth sd 10, residual sd 0.01 (theta ~ 1000)
h <- make_panel(300, 4, 10, 3, rho = 0, sigma = 0.01)

sets <- list(a = a, b = b, c = cc, d = d, e1 = e1, e2 = e2, g = g, h = h)
# (s) the shipped synthetic study: data_synthetic.csv is written by make_synthetic.py
for (nm in names(sets)) write.csv(sets[[nm]], sprintf("data_%s.csv", nm), row.names = FALSE,
                                  na = "")

## ---- models ------------------------------------------------------------------------------
# name, data, lme4 formula, python formula, python random, REML
specs <- list(
  list("a_ri_reml", "a", y ~ x + wave + (1 | id), "y ~ x + wave", "1", TRUE),
  list("a_ri_ml", "a", y ~ x + wave + (1 | id), "y ~ x + wave", "1", FALSE),
  list("a_slope_singular", "a", y ~ x + wave + (1 + wave | id), "y ~ x + wave", "1 + wave",
       TRUE),
  list("b_ri_reml", "b", y ~ x + wave + (1 | id), "y ~ x + wave", "1", TRUE),
  list("b_slope_reml", "b", y ~ x + wave + (1 + wave | id), "y ~ x + wave", "1 + wave", TRUE),
  list("b_slope_ml", "b", y ~ x + wave + (1 + wave | id), "y ~ x + wave", "1 + wave", FALSE),
  list("c_slope_reml", "c", y ~ x * wave + (1 + wave | id), "y ~ x * wave", "1 + wave", TRUE),
  list("c_slope_only", "c", y ~ x + wave + (0 + wave | id), "y ~ x + wave", "0 + wave", TRUE),
  list("d_between_factor_reml", "d", y ~ x + wave + female + factor(site) + (1 | id),
       "y ~ x + wave + female + C(site)", "1", TRUE),
  list("d_between_factor_ml", "d", y ~ x + wave + female + factor(site) + (1 | id),
       "y ~ x + wave + female + C(site)", "1", FALSE),
  list("e1_singular_reml", "e1", y ~ x + wave + (1 | id), "y ~ x + wave", "1", TRUE),
  list("e1_singular_slope", "e1", y ~ x + wave + (1 + wave | id), "y ~ x + wave", "1 + wave",
       TRUE),
  list("e2_sm10239_reml", "e2", y ~ x + g + (1 | id), "y ~ x + g", "1", TRUE),
  list("e2_sm10239_ml", "e2", y ~ x + g + (1 | id), "y ~ x + g", "1", FALSE),
  list("g_q3_reml", "g", y ~ x + wave + x2 + (1 + wave + x2 | id), "y ~ x + wave + x2",
       "1 + wave + x2", TRUE),
  list("g_q3_ml", "g", y ~ x + wave + x2 + (1 + wave + x2 | id), "y ~ x + wave + x2",
       "1 + wave + x2", FALSE),
  list("h_extreme_ratio", "h", y ~ x + wave + (1 + wave | id), "y ~ x + wave", "1 + wave",
       TRUE),
  list("synthetic_headline_reml", "synthetic",
       wellbeing ~ rq_within + rq_between + (1 | youth_id),
       "wellbeing ~ rq_within + rq_between", "1", TRUE, "youth_id"),
  list("synthetic_headline_ml", "synthetic",
       wellbeing ~ rq_within + rq_between + (1 | youth_id),
       "wellbeing ~ rq_within + rq_between", "1", FALSE, "youth_id"),
  list("synthetic_slope_reml", "synthetic",
       wellbeing ~ relationship_quality + wave + msu + gender + (1 + wave | youth_id),
       "wellbeing ~ relationship_quality + wave + msu + gender", "1 + wave", TRUE, "youth_id")
)

# lme4's default stopping rule (nloptwrap BOBYQA, ftol_abs = 1e-8 on the deviance) can stop
# ~1e-3 (relative) short of the optimum in a variance component where the likelihood is flat
# (checked: model b_slope_ml). The references are lme4's optimum, so the optimiser is run to
# a tight tolerance; estimates are otherwise lme4's own.
tight <- lmerControl(optimizer = "nloptwrap",
                     optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 0,
                                    ftol_rel = 0, maxeval = 1e5))
fits <- list()
for (s in specs) {
  dat <- read.csv(sprintf("data_%s.csv", s[[2]]))  # fit what the tests read
  group <- if (length(s) >= 7) s[[7]] else "id"
  m <- lmer(s[[3]], data = dat, REML = s[[6]], control = tight)
  fits[[s[[1]]]] <- fit_record(m, sprintf("data_%s.csv", s[[2]]), s[[4]], s[[5]], group,
                                s[[6]], s[[3]])
}
fits[["_versions"]] <- fit_versions()
writeLines(toJSON(fits, digits = NA, auto_unbox = TRUE, pretty = TRUE), "fits.json")
