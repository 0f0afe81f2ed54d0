# Likelihood-ratio tables of lme4's anova(m0, m1) for nested glmer fits (GLMMs are fitted by
# ML, so anova compares them as they are): cbpp successes/trials with and without period,
# Laplace and nAGQ = 10 (whose logLik is relative to the saturated model; the difference is
# the same), and the shipped study's wellbeing >= 3.5 with and without the relationship-quality
# terms (rows with relationship_quality_within observed, wave numeric), Laplace.
#   Rscript tests/reference/glmer_lrt/make.R
# Data as ../glmer/models.R reads them. Writes lrt.csv (comparison, model, formula, nagq,
# nobs, npar, AIC, BIC, logLik, deviance, Chisq, Df, p_value), versions.csv,
# session_info.txt.
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
source(file.path(here, "..", "glmer", "models.R"))

d <- reference_glmm_data(here)
cb0 <- cbind(incidence, size - incidence) ~ 1 + (1 | herd)
cb1 <- cbind(incidence, size - incidence) ~ period + (1 | herd)
st0 <- high_wellbeing ~ wave + (1 | youth_id)
st1 <- high_wellbeing ~ relationship_quality_within + relationship_quality_between + wave +
  (1 | youth_id)
comparisons <- list(
  cbpp_laplace = list(data = d$cbpp, nagq = 1, formulas = list(cb0, cb1)),
  cbpp_agq10 = list(data = d$cbpp, nagq = 10, formulas = list(cb0, cb1)),
  study_laplace = list(data = d$study, nagq = 1, formulas = list(st0, st1)))

rows <- list()
for (nm in names(comparisons)) {
  cmp <- comparisons[[nm]]
  fits <- lapply(cmp$formulas, function(f) glmer(f, data = cmp$data, family = binomial,
                                                  nAGQ = cmp$nagq, control = tight_glmer()))
  a <- suppressWarnings(suppressMessages(do.call(anova, unname(fits))))
  stopifnot(nrow(a) == length(fits), !is.unsorted(a$npar))
  rows[[nm]] <- data.frame(
    comparison = nm, model = paste0("m", seq_along(fits) - 1),
    formula = vapply(cmp$formulas, function(f) paste(deparse(f, 500), collapse = ""), ""),
    nagq = cmp$nagq, nobs = vapply(fits, nobs, 0L),
    npar = a$npar, AIC = a$AIC, BIC = a$BIC, logLik = a$logLik, deviance = a$deviance,
    Chisq = a$Chisq, Df = a$Df, p_value = a[["Pr(>Chisq)"]], row.names = NULL)
}
out <- do.call(rbind, rows)
write_ref(out, here, "lrt.csv")
write_versions(here, c("lme4", "Matrix"))
print(out[, -3], digits = 10)
