# Reference values for youthtransitions.models.r2 (R² measures of mixed models).
#
#   Rscript tests/reference/r2mlm/r2mlm.R      (from any folder; needs CRAN the first time)
#
# r2mlm is pinned to release 0.3.8 and installed by this script from CRAN (or its archive,
# once 0.3.8 is superseded) into a private library, R2MLM_LIB (default: a cache folder under
# tools::R_user_dir), so the system library is untouched and later runs need no network.
# The stored output was computed with r2mlm 0.3.8 as at GitHub mkshaw/r2mlm commit 6d7e306.
# performance::r2_nakagawa (performance 0.10.2, insight 0.19.0) and lme4 1.1.31 come from
# Debian. Data: r2mlm_data.csv (make_data.py). Output: r2mlm_reference.json.
R2MLM_VERSION <- "0.3.8"
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
lib <- Sys.getenv("R2MLM_LIB", file.path(tools::R_user_dir("youthtransitions", "cache"),
                                         paste0("r2mlm-", R2MLM_VERSION)))
.libPaths(c(lib, .libPaths()))  # dependencies installed here are found first
installed <- tryCatch(as.character(packageVersion("r2mlm", lib.loc = lib)),
                      error = function(e) "")
if (installed != R2MLM_VERSION) {
  dir.create(lib, recursive = TRUE, showWarnings = FALSE)
  # install_version finds the release in src/contrib or src/contrib/Archive and installs
  # the CRAN dependencies it lacks (rockchalk among them) into the same library
  remotes::install_version("r2mlm", version = R2MLM_VERSION, lib = lib,
                           repos = "https://cloud.r-project.org", upgrade = "never")
}
stopifnot(as.character(packageVersion("r2mlm", lib.loc = lib)) == R2MLM_VERSION)
suppressPackageStartupMessages({
  library(lme4); library(performance); library(jsonlite)
  library(r2mlm)
})
setwd(here)

d <- read.csv("r2mlm_data.csv")
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
formulas <- list(
  ri       = y ~ x_w + x_b + w + (1 | id),
  rs       = y ~ x_w + z_w + x_b + w + (1 + x_w | id),
  mixed    = y ~ x + w + (1 | id),
  mixed_rs = y ~ x + z + w + (1 + x | id),
  between  = y ~ x_b + w + (1 | id),
  null     = y ~ 1 + (1 | id)
)
r2table <- function(tab) {
  tab <- as.matrix(tab)
  out <- list()
  for (part in colnames(tab)) {
    vals <- suppressWarnings(as.numeric(tab[, part]))
    names(vals) <- rownames(tab)
    out[[part]] <- as.list(vals[!is.na(vals)])
  }
  out
}
models <- list(); out <- list()
for (name in names(formulas)) {
  m <- lmer(formulas[[name]], data = d, REML = TRUE, control = ctrl)
  models[[name]] <- m
  vc <- as.matrix(Matrix::bdiag(VarCorr(m)))
  rn <- colnames(VarCorr(m)$id)
  nk <- performance::r2_nakagawa(m)
  rr <- r2mlm(m, bargraph = FALSE)
  out[[name]] <- list(
    formula = deparse(formulas[[name]]),
    fixef = as.list(fixef(m)),
    random_names = rn,
    tau = unname(vc),
    sigma2 = sigma(m)^2,
    singular = isSingular(m),
    nakagawa = list(marginal = unname(nk$R2_marginal), conditional = unname(nk$R2_conditional)),
    r2mlm = r2table(rr$R2s)
  )
}
comp <- function(full, reduced) {
  res <- r2mlm_comp(models[[reduced]], models[[full]], bargraph = FALSE)
  # r2mlm_comp(A, B) reports B - A: here full - reduced
  list(full = full, reduced = reduced, delta = r2table(res[["R2 differences, Model B - Model A"]]))
}
comparisons <- list(comp("ri", "null"), comp("rs", "between"), comp("rs", "ri"))
write_json(list(models = out, comparisons = comparisons,
                versions = list(lme4 = as.character(packageVersion("lme4")),
                                performance = as.character(packageVersion("performance")),
                                insight = as.character(packageVersion("insight")),
                                r2mlm = as.character(packageVersion("r2mlm", lib.loc = lib)))),
           "r2mlm_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("written r2mlm_reference.json\n")
