# Pooling beyond lm: mice::pool's default complete-data df and mitml's pooled estimates and
# multi-parameter tests for logistic regressions (glm, binomial) and for lmer fits, on the
# completed data sets already exported by ../mitml_testmodels/make.R and ../mitml/pool.R.
#   Rscript tests/reference/pool_families/make.R
# Models:
#   nhanes  (../mitml_testmodels/nhanes_imputed.csv, m = 20)
#           full glm(hyp2 ~ age + chl, binomial), null glm(hyp2 ~ age), hyp2 = (hyp == 2)
#   pmk     (../mitml_testmodels/pmk_imputed.csv, m = 10)
#           full glm(gender_male ~ wellbeing_w1 + relationship_quality_w1 + contextual_risk_w1),
#           null glm(gender_male ~ wellbeing_w1)
#   ratings (../mitml/studentratings_imp_1..5.csv, m = 5)
#           lmer(ReadAchiev ~ ReadDis + SES + (1 | ID)), REML and ML
# Writes
#   mice_pool.csv     data, model, reml (lmer only), term, estimate, ubar, b, t, dfcom, df,
#                     riv, lambda, fmi: mice::pool with its default dfcom (broom's or
#                     broom.mixed's df.residual: n - p for glm, n - npar for lmer)
#   testestimates.csv data, model, term, estimate, std_error, statistic, df, p_value, riv,
#                     fmi: mitml::testEstimates of the glm full models, df.com not given
#   testmodels.csv    data, comparison, method, use, df_com, k, statistic, df1, df2,
#                     p_value, riv: mitml::testModels D1 (with and without df.com) and D2
#                     (wald, likelihood) for the glm comparisons; D3 is not available for glm
#                     in mitml ("Could not evaluate likelihood")
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages({
  library(mice); library(mitml); library(lme4); library(broom); library(broom.mixed)
})

split_imputations <- function(long) {
  lapply(split(long, long$imputation), function(d) {
    d$imputation <- NULL; rownames(d) <- NULL; d
  })
}
nh <- split_imputations(read_ref(here, "mitml_testmodels", "nhanes_imputed.csv"))
nh <- lapply(nh, function(d) transform(d, hyp2 = as.numeric(hyp == 2)))
pmk <- split_imputations(read_ref(here, "mitml_testmodels", "pmk_imputed.csv"))
ratings <- lapply(1:5, function(i) {
  read_ref(here, "mitml", sprintf("studentratings_imp_%d.csv", i))
})

tight_glm <- glm.control(epsilon = 1e-14, maxit = 100)
specs <- list(
  list(data = "nhanes", name = "chl", dats = nh,
       full = hyp2 ~ age + chl, null = hyp2 ~ age),
  list(data = "pmk", name = "wave1_covariates", dats = pmk,
       full = gender_male ~ wellbeing_w1 + relationship_quality_w1 + contextual_risk_w1,
       null = gender_male ~ wellbeing_w1))
fstr <- function(f) paste(deparse(f, 500), collapse = "")
mice_rows <- function(fits, data, model, reml = NA) {
  p <- pool(as.mira(fits))$pooled
  data.frame(data = data, model = model, reml = reml, term = as.character(p$term),
             estimate = p$estimate, ubar = p$ubar, b = p$b, t = p$t, dfcom = p$dfcom,
             df = p$df, riv = p$riv, lambda = p$lambda, fmi = p$fmi)
}
prows <- list(); erows <- list(); trows <- list()
for (s in specs) {
  fit_all <- function(f) lapply(s$dats, function(d) glm(f, family = binomial, data = d,
                                                        control = tight_glm))
  full <- fit_all(s$full)
  null <- fit_all(s$null)
  prows[[s$name]] <- mice_rows(full, s$data, fstr(s$full))
  te <- testEstimates(as.mitml.result(full))$estimates
  erows[[s$name]] <- data.frame(
    data = s$data, model = fstr(s$full), term = rownames(te), estimate = te[, "Estimate"],
    std_error = te[, "Std.Error"], statistic = te[, "t.value"], df = te[, "df"],
    p_value = te[, "P(>|t|)"], riv = te[, "RIV"], fmi = te[, "FMI"], row.names = NULL)
  variants <- list(list("D1", NULL, NULL), list("D1", NULL, df.residual(full[[1]])),
                   list("D2", "wald", NULL), list("D2", "likelihood", NULL))
  for (v in variants) {
    args <- list(as.mitml.result(full), as.mitml.result(null), method = v[[1]])
    if (!is.null(v[[2]])) args$use <- v[[2]]
    if (!is.null(v[[3]])) args$df.com <- v[[3]]
    tm <- do.call(testModels, args)$test
    trows[[length(trows) + 1]] <- data.frame(
      data = s$data, comparison = s$name, method = v[[1]],
      use = if (is.null(v[[2]])) NA else v[[2]], df_com = if (is.null(v[[3]])) NA else v[[3]],
      k = length(coef(full[[1]])) - length(coef(null[[1]])),
      statistic = tm[1, "F.value"], df1 = tm[1, "df1"], df2 = tm[1, "df2"],
      p_value = tm[1, "P(>F)"], riv = tm[1, "RIV"], row.names = NULL)
  }
}
f_mm <- ReadAchiev ~ ReadDis + SES + (1 | ID)
for (reml in c(TRUE, FALSE)) {
  fits <- lapply(ratings, function(d) lmer(f_mm, data = d, REML = reml,
                                           control = tight_lmer()))
  prows[[paste0("ratings", reml)]] <- mice_rows(fits, "ratings", fstr(f_mm), reml)
}
write_ref(do.call(rbind, prows), here, "mice_pool.csv")
write_ref(do.call(rbind, erows), here, "testestimates.csv")
write_ref(do.call(rbind, trows), here, "testmodels.csv")
write_versions(here, c("mice", "mitml", "lme4", "broom", "broom.mixed"))
print(do.call(rbind, trows), digits = 8)
print(do.call(rbind, prows)[, c("data", "reml", "term", "dfcom", "df")])
