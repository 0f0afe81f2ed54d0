# performance::r2_nakagawa (marginal and conditional R2) for the GLMMs of ../glmer/models.R,
# with the variance components insight::get_variance gives them.
#   Rscript tests/reference/performance_r2_glmm/make.R
# performance 0.10.2 / insight 0.19.0 (the versions installed here) compute
#   marginal = var_fixed / (var_fixed + var_random + var_residual),
#   conditional = (var_fixed + var_random) / (var_fixed + var_random + var_residual),
#   var_fixed = var(X beta) (n - 1 denominator, offset excluded), var_random = the sum of the
#   random-intercept variances, var_residual = var_distribution + var_dispersion, and
#   var_distribution = pi^2 / 3 for the logit link, 1 for probit; for Poisson (log link) the
#   lognormal approximation log1p(1 / mu) with mu = exp(b0) and b0 the intercept of the null
#   model (the same random effects, intercept only, offset kept), refitted by insight with
#   glmer's default control (null_intercept below). Later insight versions changed this mu
#   (adding the random-effect variance), so later performance versions give other values.
# Writes r2_nakagawa.csv (model, r2_marginal, r2_conditional, var_fixed, var_random,
# var_residual, var_distribution, var_dispersion, null_intercept), versions.csv,
# session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "..", "glmer", "models.R"))
suppressPackageStartupMessages({library(performance); library(insight)})

fits <- reference_glmms(here)
num <- function(x) if (is.null(x)) NA_real_ else sum(unname(x))
rows <- lapply(names(fits), function(nm) {
  m <- fits[[nm]]
  r2 <- suppressWarnings(performance::r2_nakagawa(m))
  v <- suppressWarnings(insight::get_variance(m))
  null_b0 <- if (family(m)$family == "poisson") {
    unname(lme4::fixef(suppressWarnings(insight::null_model(m)))[1])
  } else NA_real_
  data.frame(model = nm, r2_marginal = unname(r2$R2_marginal),
             r2_conditional = unname(r2$R2_conditional), var_fixed = num(v$var.fixed),
             var_random = num(v$var.random), var_residual = num(v$var.residual),
             var_distribution = num(v$var.distribution),
             var_dispersion = num(v$var.dispersion), null_intercept = null_b0)
})
out <- do.call(rbind, rows)
write_ref(out, here, "r2_nakagawa.csv")
write_versions(here, c("lme4", "performance", "insight"))
print(out, digits = 8)
