# Reference for formula transforms in fit_lmm (tests/models/test_formula_transforms.py).
# Run from this folder:  Rscript transforms.R
# Writes data.csv (a small random-intercept panel with one missing x), poly.csv (R's
# orthogonal poly(x, 2), scale(x) and bs(x, df = 3) on the complete rows, in their order) and fits.json
# (lme4 REML fixed effects of y ~ poly(x, 2) + (1 | g) and y ~ scale(x) + (1 | g)).
suppressMessages({library(lme4); library(jsonlite); library(splines)})
set.seed(20261201)
G <- 40; T <- 4
g <- rep(seq_len(G), each = T)
x <- rnorm(G * T, 1, 2)
y <- 1 + 0.5 * x - 0.3 * x^2 + rnorm(G, 0, 0.7)[g] + rnorm(G * T)
x[7] <- NA
data <- data.frame(g = g, x = x, y = y)
write.csv(data, "data.csv", row.names = FALSE)
kept <- data[!is.na(data$x), ]
p <- poly(kept$x, 2)
b <- bs(kept$x, df = 3)
write.csv(data.frame(poly1 = p[, 1], poly2 = p[, 2], scale = as.numeric(scale(kept$x)),
                     bs1 = b[, 1], bs2 = b[, 2], bs3 = b[, 3]),
          "poly.csv", row.names = FALSE)
fit <- function(f) {
  m <- lmer(f, data = kept, REML = TRUE)
  list(terms = names(fixef(m)), estimate = unname(fixef(m)))
}
out <- list(poly = fit(y ~ poly(x, 2) + (1 | g)), scale = fit(y ~ scale(x) + (1 | g)),
            versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4"))))
write_json(out, "fits.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
