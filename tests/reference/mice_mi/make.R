# Multiple imputation by mice (norm: Bayesian normal-regression draws; pmm: predictive mean
# matching) on a simulated data set where the complete cases miss the true slope by more than
# their confidence interval, so MI and complete-case answers are told apart.
#   Rscript tests/reference/mice_mi/make.R
# Design (set.seed(20240614), n = 2000): x ~ N(0, 1); y = 1 + 0.5 x + e, e ~ N(0, 1);
# z = y + u, u ~ N(0, 0.5^2) (an auxiliary proxy of y, always observed). y is missing at
# random given z: P(missing) = plogis(-2.5 + 2 z), about 41% (strong selection on z, so on y), which
# flattens the complete-case slope of y on x. The analysis model is lm(y ~ x); the true slope
# is 0.5. Imputation: mice(m = 50, maxit = 1 (one variable missing), seed 20240615 / 20240616),
# imputing y from x and z.
# Writes
#   mi_data.csv     x, z, y (missing where deleted), y_full (before deletion)
#   mi_results.csv  method (truth | full_data | complete_case | norm | pmm), estimate,
#                   std_error, df, conf_low, conf_high (95%), n, m, ubar, b, riv, fmi
#                   (pooled by mice::pool with its default dfcom = n - 2; truth: the slope)
#   mi_per_imputation.csv  method, imputation, estimate, std_error (per completed data set)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages(library(mice))

set.seed(20240614)
n <- 2000
x <- rnorm(n)
y_full <- 1 + 0.5 * x + rnorm(n)
z <- y_full + rnorm(n, sd = 0.5)
miss <- runif(n) < plogis(-2.5 + 2 * z)
y <- ifelse(miss, NA, y_full)
d <- data.frame(x = x, z = z, y = y, y_full = y_full)
write_ref(d, here, "mi_data.csv")

slope_row <- function(method, fit, m = NA) {
  s <- summary(fit)$coefficients["x", ]
  ci <- confint(fit)["x", ]
  data.frame(method = method, estimate = s[["Estimate"]], std_error = s[["Std. Error"]],
             df = df.residual(fit), conf_low = ci[[1]], conf_high = ci[[2]], n = nobs(fit),
             m = m, ubar = NA, b = NA, riv = NA, fmi = NA)
}
rows <- list(data.frame(method = "truth", estimate = 0.5, std_error = NA, df = NA,
                        conf_low = NA, conf_high = NA, n = n, m = NA, ubar = NA, b = NA,
                        riv = NA, fmi = NA),
             slope_row("full_data", lm(y_full ~ x, data = d)),
             slope_row("complete_case", lm(y ~ x, data = d)))
per <- list()
seeds <- c(norm = 20240615, pmm = 20240616)
for (method in names(seeds)) {
  imp <- mice(d[, c("x", "z", "y")], m = 50, method = c("", "", method), maxit = 1,
              seed = seeds[[method]], printFlag = FALSE)
  fits <- with(imp, lm(y ~ x))
  p <- pool(fits)
  sp <- summary(p, conf.int = TRUE)
  pr <- p$pooled[p$pooled$term == "x", ]
  sx <- sp[sp$term == "x", ]
  rows[[method]] <- data.frame(method = method, estimate = pr$estimate,
                               std_error = sqrt(pr$t), df = pr$df, conf_low = sx[["2.5 %"]],
                               conf_high = sx[["97.5 %"]], n = n, m = pr$m, ubar = pr$ubar,
                               b = pr$b, riv = pr$riv, fmi = pr$fmi)
  per[[method]] <- data.frame(
    method = method, imputation = seq_along(fits$analyses),
    estimate = vapply(fits$analyses, function(f) coef(f)[["x"]], 0),
    std_error = vapply(fits$analyses, function(f) sqrt(vcov(f)["x", "x"]), 0))
}
out <- do.call(rbind, rows)
write_ref(out, here, "mi_results.csv")
write_ref(do.call(rbind, per), here, "mi_per_imputation.csv")
write_versions(here, "mice")
print(out, digits = 6)
cat("missing share:", mean(miss), "\n")
