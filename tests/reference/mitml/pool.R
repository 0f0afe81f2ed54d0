# Reference output for youthtransitions.missing.pool (Rubin's rules).
# Run from this folder:  Rscript pool.R
# R 4.2, mice 3.15.0, mitml 0.4-4, lme4, pan, broom.mixed, jsonlite.
# Writes the m completed data sets as CSV, the per-imputation estimates and covariance
# matrices, and the pooled tables of mice::pool and mitml::testEstimates, with and without
# a complete-data df. Tests read these files; CI needs no R.
suppressPackageStartupMessages({
  library(mice); library(mitml); library(lme4); library(broom.mixed); library(jsonlite)
})

write_long_vcov <- function(fits, file) {
  rows <- list()
  for (i in seq_along(fits)) {
    V <- as.matrix(vcov(fits[[i]]))
    for (a in rownames(V)) for (b in colnames(V))
      rows[[length(rows) + 1]] <- data.frame(imputation = i, row = a, col = b, value = V[a, b])
  }
  write.csv(do.call(rbind, rows), file, row.names = FALSE)
}
write_coefs <- function(fits, file) {
  rows <- list()
  for (i in seq_along(fits)) {
    b <- if (inherits(fits[[i]], "merMod")) fixef(fits[[i]]) else coef(fits[[i]])
    se <- sqrt(diag(as.matrix(vcov(fits[[i]]))))
    rows[[i]] <- data.frame(imputation = i, term = names(b), estimate = unname(b),
                            std_error = unname(se))
  }
  write.csv(do.call(rbind, rows), file, row.names = FALSE)
}
mitml_table <- function(fits, df.com = NULL) {
  te <- testEstimates(as.mitml.result(fits), df.com = df.com)
  e <- te$estimates
  data.frame(term = rownames(e), estimate = e[, "Estimate"], std_error = e[, "Std.Error"],
             statistic = e[, "t.value"], df = e[, "df"], p_value = e[, "P(>|t|)"],
             riv = e[, "RIV"], fmi = e[, "FMI"], row.names = NULL)
}
mice_table <- function(fits, dfcom = NULL) {
  p <- pool(as.mira(fits), dfcom = dfcom)$pooled
  data.frame(term = as.character(p$term), estimate = p$estimate, ubar = p$ubar, b = p$b,
             t = p$t, std_error = sqrt(p$t), dfcom = p$dfcom, df = p$df, riv = p$riv,
             lambda = p$lambda, fmi = p$fmi)
}

## 1. single-level: mice::nhanes, PMM, m = 5, lm(chl ~ age + bmi) -------------------------
imp <- mice(nhanes, m = 5, method = "pmm", seed = 20240501, printFlag = FALSE)
dats <- complete(imp, "all")
for (i in seq_along(dats)) write.csv(dats[[i]], sprintf("nhanes_imp_%d.csv", i), row.names = FALSE)
fits_lm <- lapply(dats, function(d) lm(chl ~ age + bmi, data = d))
write_coefs(fits_lm, "lm_coefs.csv")
write_long_vcov(fits_lm, "lm_vcov.csv")
write.csv(mice_table(fits_lm), "lm_mice_default.csv", row.names = FALSE)   # dfcom = n - p = 22
write.csv(mice_table(fits_lm, dfcom = Inf), "lm_mice_inf.csv", row.names = FALSE)
write.csv(mitml_table(fits_lm), "lm_mitml.csv", row.names = FALSE)
write.csv(mitml_table(fits_lm, df.com = 22), "lm_mitml_dfcom22.csv", row.names = FALSE)

## 2. two-level: mitml::studentratings, joint model imputation with pan, m = 5 ---------------
data(studentratings, package = "mitml")
sr <- studentratings[, c("ID", "ReadAchiev", "ReadDis", "SES", "CognAbility")]
fml <- ReadDis + SES ~ 1 + CognAbility + (1 | ID)
imp2 <- panImpute(sr, formula = fml, n.burn = 500, n.iter = 50, m = 5, seed = 20240502,
                  silent = TRUE)
dats2 <- mitmlComplete(imp2, "all")
for (i in seq_along(dats2)) {
  d <- dats2[[i]]; d$ID <- sprintf("s%d", d$ID)
  write.csv(d, sprintf("studentratings_imp_%d.csv", i), row.names = FALSE)
}
fits_mm <- lapply(dats2, function(d) lmer(ReadAchiev ~ ReadDis + SES + (1 | ID), data = d,
                                           REML = TRUE))
write_coefs(fits_mm, "lmer_coefs.csv")
write_long_vcov(fits_mm, "lmer_vcov.csv")
write.csv(mitml_table(fits_mm), "lmer_mitml.csv", row.names = FALSE)
write.csv(mitml_table(fits_mm, df.com = 747), "lmer_mitml_dfcom747.csv", row.names = FALSE)
write.csv(mice_table(fits_mm, dfcom = 747), "lmer_mice_dfcom747.csv", row.names = FALSE)
write.csv(mice_table(fits_mm, dfcom = Inf), "lmer_mice_inf.csv", row.names = FALSE)

## 3. zero between-imputation variance (identical estimates in every imputation) -----------
Q <- matrix(c(1.5, -0.25), nrow = 2, ncol = 4, dimnames = list(c("a", "b"), NULL))
U <- array(0, c(2, 2, 4), dimnames = list(c("a", "b"), c("a", "b"), NULL))
for (i in 1:4) U[, , i] <- matrix(c(0.04, 0.01, 0.01, 0.09), 2)
zero <- function(df.com) {
  e <- testEstimates(qhat = Q, uhat = U, df.com = df.com)$estimates
  data.frame(term = rownames(e), estimate = e[, "Estimate"], std_error = e[, "Std.Error"],
             df = e[, "df"], riv = e[, "RIV"], fmi = e[, "FMI"], row.names = NULL)
}
zero_inf <- zero(NULL); zero_50 <- zero(50)
zero_inf$df <- as.character(zero_inf$df)  # Inf is not representable in JSON
write_json(list(m = 4, Q = Q, U = U[, , 1],
                without_dfcom = zero_inf, dfcom_50 = zero_50),
           "zero_between.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
writeLines(capture.output(sessionInfo()), "sessionInfo.txt")

## 4. a moderate complete-data df, where Barnard-Rubin's (df_com + 1) / (df_com + 3) factor
## moves the pooled df by more than 1e-3 relative (at 747 it moves them by < 1e-4) ----------
write.csv(mice_table(fits_mm, dfcom = 60), "lmer_mice_dfcom60.csv", row.names = FALSE)
write.csv(mitml_table(fits_mm, df.com = 60), "lmer_mitml_dfcom60.csv", row.names = FALSE)
