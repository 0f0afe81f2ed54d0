# lme4::glmer references for the random-term forms beyond one term per grouping factor:
# uncorrelated (||) and nested (/) terms, Laplace.
#   Rscript tests/reference/glmer_terms/make.R
#   bacteria_uncorrelated_laplace  y01 ~ trt + week + (1 + week || ID), binomial: MASS's
#                 bacteria (y01 = y == "y"; trt levels sorted, so "drug" is the reference),
#                 written to bacteria.csv; lme4 expands the term to (1 | ID) + (0 + week | ID)
#   cbpp_nested_laplace  cbind(incidence, size - incidence) ~ period + (1 | herd/period),
#                 binomial: (1 | period:herd) + (1 | herd), an observation-level effect in herd
#   grouse_nested_poisson  TICKS ~ YEAR + scale(HEIGHT) + (1 | LOCATION/BROOD), Poisson:
#                 (1 | BROOD:LOCATION) + (1 | LOCATION) (broods are coded uniquely, so the fit
#                 is ../glmer's crossed grouse_poisson under lme4's nested names)
# Writes bacteria.csv, the tables of ../r_common/glmer_tables.R (fixef.csv, fit.csv,
# varcorr.csv, ranef.csv, predictions.csv), versions.csv, session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "..", "r_common", "glmer_tables.R"))
source(file.path(here, "..", "glmer", "models.R"))

b <- MASS::bacteria
bacteria <- data.frame(ID = as.character(b$ID), trt = as.character(b$trt), week = b$week,
                       y01 = as.integer(b$y == "y"))
write_ref(bacteria, here, "bacteria.csv")
bacteria$trt <- factor(bacteria$trt, levels = sort(unique(bacteria$trt)))
d <- reference_glmm_data(here)
fit <- function(f, data, family) glmer(f, data = data, family = family,
                                       control = tight_glmer())
fits <- list(
  bacteria_uncorrelated_laplace = fit(y01 ~ trt + week + (1 + week || ID), bacteria,
                                      binomial),
  cbpp_nested_laplace = fit(cbind(incidence, size - incidence) ~ period + (1 | herd/period),
                            d$cbpp, binomial),
  grouse_nested_poisson = fit(TICKS ~ YEAR + scale(HEIGHT) + (1 | LOCATION/BROOD), d$grouse,
                              poisson))
out <- write_glmer_tables(fits, here)
write_versions(here, c("lme4", "Matrix", "MASS"))
print(out[, c("model", "nobs", "loglik", "theta_names")], digits = 10)
