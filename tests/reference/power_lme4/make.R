# Power of the fixed effects of a balanced random-intercept model, by simulation against lme4.
# simr is CRAN-only, so the simulation is written directly: R datasets drawn from the
# specified model, each fitted twice by ML (lmer, REML = FALSE) with and without the term,
# the term rejected when anova(m0, m1)'s likelihood-ratio p value is below alpha.
# Design (shared with tests/report/test_planning_reference.py): G clusters of K rows;
#   x_between: the cluster's value, evenly spaced, standardised over clusters;
#   x_within:  evenly spaced within each cluster, centred (mean 0 in every cluster);
#   y = b_between * x_between + b_within * x_within + u_j + e_ij,
#   u ~ N(0, rho), e ~ N(0, 1 - rho).
# Run: Rscript make.R   (writes power.json beside this script)
suppressPackageStartupMessages({library(lme4); library(jsonlite)})
set.seed(20240601)
G <- 60; K <- 4; rho <- 0.2; b_between <- 0.22; b_within <- 0.16; alpha <- 0.05; R <- 500

xb <- seq(-1, 1, length.out = G); xb <- (xb - mean(xb)) / sqrt(mean((xb - mean(xb))^2))
xw <- seq(-1, 1, length.out = K); xw <- xw - mean(xw)
d <- data.frame(g = factor(rep(seq_len(G), each = K)), x_between = rep(xb, each = K),
                x_within = rep(xw, times = G))
reject <- matrix(NA, R, 2, dimnames = list(NULL, c("between", "within")))
for (r in seq_len(R)) {
  d$y <- b_between * d$x_between + b_within * d$x_within +
    rep(rnorm(G, sd = sqrt(rho)), each = K) + rnorm(G * K, sd = sqrt(1 - rho))
  full <- lmer(y ~ x_between + x_within + (1 | g), d, REML = FALSE)
  no_b <- lmer(y ~ x_within + (1 | g), d, REML = FALSE)
  no_w <- lmer(y ~ x_between + (1 | g), d, REML = FALSE)
  reject[r, "between"] <- anova(no_b, full)[["Pr(>Chisq)"]][2] < alpha
  reject[r, "within"] <- anova(no_w, full)[["Pr(>Chisq)"]][2] < alpha
}
power <- colMeans(reject)
out <- list(
  design = list(G = G, K = K, rho = rho, b_between = b_between, b_within = b_within,
                alpha = alpha, reps = R),
  power = as.list(power),
  power_mcse = as.list(sqrt(power * (1 - power) / R)),
  r_version = R.version.string, lme4_version = as.character(packageVersion("lme4")))
write_json(out, "power.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
