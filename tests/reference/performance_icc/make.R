# performance::icc (adjusted and unadjusted ICC) and the variance components behind it
# (insight::get_variance) for lme4 REML fits.
#   Rscript tests/reference/performance_icc/make.R
# Models: sleep_ri     Reaction ~ Days + (1 | Subject)      (sleepstudy)
#         sleep_slope  Reaction ~ Days + (Days | Subject)   (sleepstudy)
#         study        wellbeing ~ relationship_quality_within + relationship_quality_between
#                      + wave + (1 | youth_id)   (shipped study, rows with the within part)
# adjusted = var.random / (var.random + var.residual); unadjusted = var.random / (var.fixed +
# var.random + var.residual), with var.random for random slopes as Johnson (2014) (the mean of
# z' Sigma z over the rows of the random-effects design), as insight computes it.
# Writes icc.csv (model, icc_adjusted, icc_unadjusted, var_fixed, var_random, var_residual,
# var_distribution, var_dispersion), versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages({library(lme4); library(performance); library(insight)})

sleep <- read_ref(here, "r_datasets", "sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject)
study <- read_ref(here, "shipped_study", "headline.csv")
study <- study[!is.na(study$relationship_quality_within), ]
fit <- function(f, data) lmer(f, data = data, REML = TRUE, control = tight_lmer())
fits <- list(
  sleep_ri = fit(Reaction ~ Days + (1 | Subject), sleep),
  sleep_slope = fit(Reaction ~ Days + (Days | Subject), sleep),
  study = fit(wellbeing ~ relationship_quality_within + relationship_quality_between +
                 wave + (1 | youth_id), study))
num <- function(x) if (is.null(x)) NA_real_ else unname(x)
rows <- lapply(names(fits), function(nm) {
  ic <- performance::icc(fits[[nm]])
  v <- insight::get_variance(fits[[nm]])
  data.frame(model = nm, icc_adjusted = ic$ICC_adjusted, icc_unadjusted = ic$ICC_unadjusted,
             var_fixed = num(v$var.fixed), var_random = num(v$var.random),
             var_residual = num(v$var.residual), var_distribution = num(v$var.distribution),
             var_dispersion = num(v$var.dispersion))
})
out <- do.call(rbind, rows)
write_ref(out, here, "icc.csv")
write_versions(here, c("lme4", "performance", "insight"))
print(out, digits = 10)
