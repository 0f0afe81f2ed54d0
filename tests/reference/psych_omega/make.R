# psych::omega (one factor, psych's defaults: minres, flip = TRUE reverses items loading
# negatively on the general factor) and psych::alpha (check.keys) on the bfi agreeableness
# items A1-A5 (../r_datasets/bfi_agreeableness.csv; A1 is negatively keyed).
#   Rscript tests/reference/psych_omega/make.R
# Both run on all 2,800 rows with missing values (psych's default: pairwise correlations) and on
# the complete cases (data = "complete"). Writes
#   omega.csv    data, flip, n, omega_tot, omega_h, omega_alpha (omega's standardized alpha of
#                the flipped items), G6
#   omega_loadings.csv  data, flip, item, key (-1 reversed, 1 kept), loading (g of schmid$sl),
#                h2, u2
#   alpha.csv    data, check_keys, n, raw_alpha, std_alpha, G6, average_r, mean, sd, ase,
#                keys (";"-joined, "-A1" = reversed)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages({library(psych); library(GPArotation)})

items <- read_ref(here, "r_datasets", "bfi_agreeableness.csv")[, paste0("A", 1:5)]
sets <- list(pairwise = items, complete = na.omit(items))
orows <- list(); lrows <- list(); arows <- list()
for (nm in names(sets)) {
  x <- sets[[nm]]
  for (flip in c(TRUE, FALSE)) {
    o <- suppressWarnings(suppressMessages(
      omega(x, nfactors = 1, plot = FALSE, flip = flip)))
    key <- if (is.null(o$key)) rep(1, ncol(x)) else o$key
    orows[[paste(nm, flip)]] <- data.frame(data = nm, flip = flip, n = nrow(x),
                                           omega_tot = o$omega.tot, omega_h = o$omega_h,
                                           omega_alpha = o$alpha, G6 = o$G6)
    sl <- o$schmid$sl
    lrows[[paste(nm, flip)]] <- data.frame(data = nm, flip = flip, item = colnames(x),
                                           key = unname(key), loading = unname(sl[, "g"]),
                                           h2 = unname(sl[, "h2"]), u2 = unname(sl[, "u2"]))
  }
  for (ck in c(TRUE, FALSE)) {
    a <- suppressWarnings(suppressMessages(psych::alpha(x, check.keys = ck)))
    t <- a$total
    arows[[paste(nm, ck)]] <- data.frame(data = nm, check_keys = ck, n = nrow(x),
                                         raw_alpha = t$raw_alpha, std_alpha = t$std.alpha,
                                         G6 = t[["G6(smc)"]], average_r = t$average_r,
                                         mean = t$mean, sd = t$sd, ase = t$ase,
                                         keys = paste(unlist(a$keys), collapse = ";"))
  }
}
write_ref(do.call(rbind, orows), here, "omega.csv")
write_ref(do.call(rbind, lrows), here, "omega_loadings.csv")
write_ref(do.call(rbind, arows), here, "alpha.csv")
write_versions(here, c("psych", "GPArotation"))
print(do.call(rbind, orows), digits = 8); print(do.call(rbind, arows), digits = 8)
