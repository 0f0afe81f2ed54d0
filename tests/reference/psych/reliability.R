# Reference values for youthtransitions.study.reliability (Cronbach's alpha, Feldt CI,
# McDonald's omega total from a one-factor minres model).
# Run from this folder:  Rscript reliability.R
# Writes items.csv (the data set, generated here) and reliability.csv (psych results).
# R 4.2, psych 2.2.9.
suppressMessages(library(psych))
set.seed(20240611)
n <- 240
k <- 6
eta <- rnorm(n)
lambda <- c(0.8, 0.7, 0.75, 0.6, 0.5, 0.65)
latent <- sapply(lambda, function(l) l * eta + rnorm(n, sd = sqrt(1 - l^2)))
likert <- function(z) as.integer(cut(z, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf)))
items <- apply(latent, 2, likert)
items[, 6] <- 6L - items[, 6]            # item 6 is reverse-keyed on the 1..5 scale
colnames(items) <- sprintf("it_%02d", 1:k)
miss <- matrix(runif(n * k) < 0.04, n, k) # about 4% missing completely at random
items_na <- items
items_na[miss] <- NA
write.csv(items_na, "items.csv", row.names = FALSE, na = "")

reflected <- items_na
reflected[, 6] <- 1 + 5 - reflected[, 6]  # min + max - x

one <- function(x, label) {
  a <- psych::alpha(x, use = "pairwise", check.keys = FALSE, warnings = FALSE)
  ci <- psych::alpha.ci(a$total$raw_alpha, n.obs = nrow(x), n.var = ncol(x),
                        p.val = 0.05, digits = 12)
  om <- suppressWarnings(psych::omega(x, nfactors = 1, fm = "minres", plot = FALSE,
                                      flip = FALSE))
  f1 <- psych::fa(x, nfactors = 1, fm = "minres", use = "pairwise")
  data.frame(data = label, n = nrow(x), n_items = ncol(x),
             alpha = a$total$raw_alpha,
             alpha_low = ci[["lower.ci"]], alpha_high = ci[["upper.ci"]],
             omega = om$omega.tot,
             loading_sum = sum(abs(f1$loadings[, 1])))
}
out <- rbind(one(reflected, "pairwise"),
             one(na.omit(reflected), "complete"))
write.csv(format(out, digits = 15), "reliability.csv", row.names = FALSE, quote = FALSE)
print(out, digits = 10)
