# One stored reference fit: what tests/models/test_lmm_reference.py compares (sourced by
# lme4/models.R and lme4_datasets/datasets.R).
fit_record <- function(m, data_file, formula, random, group, reml, lme4_formula) {
  co <- summary(m)$coefficients
  vc <- VarCorr(m)[[group]]
  ll <- logLik(m)
  list(
    data = data_file, formula = formula, random = random, group = group,
    method = if (reml) "reml" else "ml", lme4_formula = deparse(lme4_formula),
    terms = rownames(co), estimate = unname(co[, "Estimate"]),
    std_error = unname(co[, "Std. Error"]), df = unname(co[, "df"]),
    random_terms = colnames(vc), random_cov = unname(matrix(vc, nrow(vc))),
    sigma2 = sigma(m)^2, loglik = as.numeric(ll), aic = AIC(m), bic = BIC(m),
    singular = isSingular(m), converged = is.null(m@optinfo$conv$lme4$messages),
    theta = unname(getME(m, "theta")),
    n_obs = nobs(m), n_groups = unname(ngrps(m)))
}
fit_versions <- function() {
  list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
       lmerTest = as.character(packageVersion("lmerTest")))
}
