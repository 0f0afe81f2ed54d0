# Reference values for youthtransitions.models.r2 (R² measures of mixed models).
#
# r2mlm 0.3.8 (github mkshaw/r2mlm, commit 6d7e306) is not on CRAN for this R, so its R
# sources are sourced at run time from a local checkout given by R2MLM_SRC (never committed):
#   R2MLM_SRC=/path/to/r2mlm/R Rscript r2mlm.R
# performance::r2_nakagawa (performance 0.10.2, insight 0.19.0) and lme4 1.1.31 come from
# Debian. Data: r2mlm_data.csv (make_data.py). Output: r2mlm_reference.json.
suppressPackageStartupMessages({
  library(lme4); library(nlme); library(dplyr); library(magrittr); library(stringr)
  library(tidyselect); library(rlang); library(performance); library(jsonlite)
})
src <- Sys.getenv("R2MLM_SRC")
for (f in c("utils.R", "prepare_data.R", "r2mlm.R", "r2mlm_manual.R", "r2mlm_comp.R",
            "r2mlm_comp_manual.R")) source(file.path(src, f))

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
                                r2mlm = "0.3.8 (6d7e306)")),
           "r2mlm_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("written r2mlm_reference.json\n")
