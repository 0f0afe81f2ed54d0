# lme4::glmer references: binomial (successes/trials and 0/1, logit and probit) and Poisson
# (with an offset; crossed BROOD x LOCATION), Laplace and adaptive Gauss-Hermite nAGQ = 10.
#   Rscript tests/reference/glmer/make.R
# Models in models.R. Writes
#   cbpp_binary.csv  the 0/1 expansion of cbpp fitted by cbpp_binary_laplace
#   fixef.csv, fit.csv, varcorr.csv, ranef.csv, predictions.csv  (../r_common/glmer_tables.R)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "..", "r_common", "glmer_tables.R"))
source(file.path(here, "models.R"))

write_ref(reference_glmm_data(here)$binary, here, "cbpp_binary.csv")
fit <- write_glmer_tables(reference_glmms(here), here)
write_versions(here, c("lme4", "Matrix"))
print(fit[, c("model", "nagq", "loglik", "saturated_loglik", "loglik_full")],
      digits = 10)
