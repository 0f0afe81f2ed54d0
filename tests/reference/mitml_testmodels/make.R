# Pooled multi-parameter tests of mitml::testModels (D1 Wald, D2 combined chi-square, D3
# Meng-Rubin likelihood ratio), mitml::testEstimates and mice::pool's default complete-data df
# on multiply imputed data whose completed data sets are exported, so Python refits them.
#   Rscript tests/reference/mitml_testmodels/make.R
# Data:
#   nhanes  mice::nhanes imputed by mice (pmm, m = 20, seed 20240612); nhanes_imputed.csv
#           (imputation 1..20, row = nhanes row, age, bmi, hyp, chl)
#   pmk     the shipped study's PMK frame (../shipped_study/pmk_wide.csv) imputed by mice
#           (pmm, m = 10, seed 20240613, every column but youth_id as predictor);
#           pmk_imputed.csv (imputation, youth_id, the imputed columns)
#   ratings ../mitml/studentratings_imp_1..5.csv (two-level, imputed by pan in ../mitml/pool.R)
# Comparisons (full vs null): lm for nhanes and pmk; lmer (REML = FALSE, so D3's likelihoods
# are ML) for ratings. Writes
#   testmodels.csv   data, comparison, full, null, method (D1 | D2 | D3), use (D2's "wald" or
#                    "likelihood"; empty otherwise), df_com (empty = not given), k (number of
#                    parameters tested), statistic (F), df1, df2, p_value, riv
#   testestimates.csv data, model, term, estimate, std_error, statistic, df, p_value, riv, fmi
#                    (testEstimates of each full model, df.com not given)
#   mice_pool.csv    data, model, term, estimate, ubar, b, t, dfcom, df, riv, lambda, fmi
#                    (mice::pool of the lm full models with its default dfcom = the residual
#                    df n - p of the complete-data fit)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages({library(mice); library(mitml); library(lme4)})

long_complete <- function(imp, id) {
  dats <- complete(imp, "all")
  do.call(rbind, lapply(seq_along(dats), function(i) data.frame(imputation = i, id, dats[[i]],
                                                                  row.names = NULL)))
}
nh <- read_ref(here, "r_datasets", "nhanes.csv")
imp_nh <- mice(nh, m = 20, method = "pmm", seed = 20240612, printFlag = FALSE)
write_ref(long_complete(imp_nh, data.frame(row = seq_len(nrow(nh)))), here,
          "nhanes_imputed.csv")
pmk <- read_ref(here, "shipped_study", "pmk_wide.csv")
imp_pmk <- mice(pmk[, -1], m = 10, method = "pmm", seed = 20240613, printFlag = FALSE)
write_ref(long_complete(imp_pmk, data.frame(youth_id = pmk$youth_id)), here,
          "pmk_imputed.csv")
ratings <- lapply(1:5, function(i) {
  read_ref(here, "mitml", sprintf("studentratings_imp_%d.csv", i))
})

specs <- list(
  list(data = "nhanes", name = "bmi_hyp", dats = complete(imp_nh, "all"), kind = "lm",
       full = chl ~ age + bmi + hyp, null = chl ~ age),
  list(data = "nhanes", name = "bmi", dats = complete(imp_nh, "all"), kind = "lm",
       full = chl ~ age + bmi, null = chl ~ age),
  list(data = "pmk", name = "wave1_covariates", dats = complete(imp_pmk, "all"), kind = "lm",
       full = pmk_functioning_w3 ~ relationship_quality_w1 + wellbeing_w1 +
         contextual_risk_w1,
       null = pmk_functioning_w3 ~ relationship_quality_w1),
  list(data = "ratings", name = "dis_ses", dats = ratings, kind = "lmer",
       full = ReadAchiev ~ ReadDis + SES + (1 | ID), null = ReadAchiev ~ 1 + (1 | ID)))

fit_all <- function(dats, f, kind) {
  fits <- lapply(dats, function(d) {
    if (kind == "lm") lm(f, data = d) else lmer(f, data = d, REML = FALSE,
                                                 control = tight_lmer())
  })
  as.mitml.result(fits)
}
fixef_or_coef <- function(m) if (inherits(m, "merMod")) fixef(m) else coef(m)
fstr <- function(f) paste(deparse(f, 500), collapse = "")
trows <- list(); erows <- list(); prows <- list()
for (s in specs) {
  full <- fit_all(s$dats, s$full, s$kind)
  null <- fit_all(s$dats, s$null, s$kind)
  n <- nrow(s$dats[[1]])
  dfc <- if (s$kind == "lm") list(NULL, df.residual(full[[1]])) else list(NULL)
  variants <- list(list("D1", NULL), list("D2", "wald"), list("D2", "likelihood"),
                   list("D3", NULL))
  for (v in variants) for (dc in dfc) {
    if (v[[1]] != "D1" && !is.null(dc)) next   # df.com enters D1 only
    args <- list(full, null, method = v[[1]])
    if (!is.null(v[[2]])) args$use <- v[[2]]
    if (!is.null(dc)) args$df.com <- dc
    tm <- do.call(testModels, args)$test
    trows[[length(trows) + 1]] <- data.frame(
      data = s$data, comparison = s$name, full = fstr(s$full), null = fstr(s$null),
      method = v[[1]], use = if (is.null(v[[2]])) NA else v[[2]],
      df_com = if (is.null(dc)) NA else dc,
      k = length(fixef_or_coef(full[[1]])) - length(fixef_or_coef(null[[1]])),
      statistic = tm[1, "F.value"], df1 = tm[1, "df1"], df2 = tm[1, "df2"],
      p_value = tm[1, "P(>F)"], riv = tm[1, "RIV"], row.names = NULL)
  }
  te <- testEstimates(full)$estimates
  erows[[s$name]] <- data.frame(
    data = s$data, model = fstr(s$full), term = rownames(te), estimate = te[, "Estimate"],
    std_error = te[, "Std.Error"], statistic = te[, "t.value"], df = te[, "df"],
    p_value = te[, "P(>|t|)"], riv = te[, "RIV"], fmi = te[, "FMI"], row.names = NULL)
  if (s$kind == "lm") {
    p <- pool(as.mira(unclass(full)))$pooled
    prows[[s$name]] <- data.frame(
      data = s$data, model = fstr(s$full), term = as.character(p$term), estimate = p$estimate,
      ubar = p$ubar, b = p$b, t = p$t, dfcom = p$dfcom, df = p$df, riv = p$riv,
      lambda = p$lambda, fmi = p$fmi)
  }
}
write_ref(do.call(rbind, trows), here, "testmodels.csv")
write_ref(do.call(rbind, erows), here, "testestimates.csv")
write_ref(do.call(rbind, prows), here, "mice_pool.csv")
write_versions(here, c("mice", "mitml", "lme4"))
print(do.call(rbind, trows)[, -(3:4)], digits = 8)
