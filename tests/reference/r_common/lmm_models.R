# The linear mixed models shared by lmertest_anova/ and pbkrtest/ (fitted by lmerTest::lmer,
# REML). Source after common.R; `reference_lmms(here)` returns a named list of fits.
#   sleep_slope:  sleepstudy  Reaction ~ Days + (Days | Subject)
#   cake:         cake        angle ~ recipe * temperature + (1 | recipe:replicate), with
#                             temperature an unordered factor (treatment contrasts, 175 first)
#   cake_sum:     the same model under contr.sum for recipe and temperature
#   cake_unbalanced: the cake model without every 7th row (rows 1, 8, 15, ... of cake.csv
#                 dropped; 0-based 0, 7, 14, ...), so Satterthwaite and Kenward-Roger differ
#   study:        shipped study  wellbeing ~ relationship_quality_within +
#                 relationship_quality_between + factor(wave) + ethnicity + (1 | youth_id)
#                 (ethnicity levels sorted, so "maori" is the reference)
suppressPackageStartupMessages({library(lme4); library(lmerTest)})

reference_lmm_data <- function(here) {
  cake <- read_ref(here, "r_datasets", "cake.csv")
  cake$temperature <- factor(cake$temperature)
  cake$recipe <- factor(cake$recipe)
  cake$replicate <- factor(cake$replicate)
  sleep <- read_ref(here, "r_datasets", "sleepstudy.csv")
  sleep$Subject <- factor(sleep$Subject)
  study <- read_ref(here, "shipped_study", "headline.csv")
  study$ethnicity <- factor(study$ethnicity)
  list(sleep = sleep, cake = cake, study = study)
}

reference_lmms <- function(here) {
  d <- reference_lmm_data(here)
  sum_contrasts <- list(recipe = "contr.sum", temperature = "contr.sum")
  fit <- function(f, data, ...) lmer(f, data = data, REML = TRUE, control = tight_lmer(), ...)
  cake_f <- angle ~ recipe * temperature + (1 | recipe:replicate)
  list(
    sleep_slope = fit(Reaction ~ Days + (Days | Subject), d$sleep),
    cake = fit(cake_f, d$cake),
    cake_sum = fit(cake_f, d$cake, contrasts = sum_contrasts),
    cake_unbalanced = fit(cake_f, d$cake[-seq(1, nrow(d$cake), by = 7), ]),
    study = fit(wellbeing ~ relationship_quality_within + relationship_quality_between +
                  factor(wave) + ethnicity + (1 | youth_id), d$study)
  )
}
