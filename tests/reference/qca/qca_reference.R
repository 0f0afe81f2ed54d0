# Reference values for youthtransitions.qual.configurations, from R's QCA package.
#
# Provenance: QCA 3.23 (CRAN snapshot, github cran/QCA) with admisc 0.40, declared 0.25,
# venn 1.13, installed from source into a private library (R CMD INSTALL -l LIB), with
# jsonlite; R 4.2.2. Run from this folder:
#   R_LIBS=LIB Rscript qca_reference.R
# Writes lipset_LC.csv, lipset_LF.csv, lipset_LR.csv (the Lipset benchmark data shipped with QCA:
# Dusa 2019, "QCA with R", Springer) and qca_reference.json (truth tables, solutions with
# their parameters of fit, necessity, calibration). Nothing of QCA's code is committed.
suppressPackageStartupMessages({library(QCA); library(jsonlite)})
data(LC); data(LF); data(LR)
for (nm in c("LC", "LF", "LR")) {
  d <- get(nm)
  d[] <- lapply(d, function(x) as.numeric(unclass(x)))  # drop the value labels ("declared")
  d <- cbind(case = rownames(d), d)
  write.csv(d, sprintf("lipset_%s.csv", nm), row.names = FALSE)
}
conds5 <- c("DEV", "URB", "LIT", "IND", "STB")

fit_table <- function(ic) {
  # term-level parameters of fit (QCA's incl.cov table)
  ic <- as.data.frame(ic)
  list(terms = I(rownames(ic)), incl = I(ic$inclS), pri = I(ic$PRI), cov = I(ic$covS),
       cov_unique = I(ic$covU))
}
models_of <- function(sol, IC) {
  out <- list()
  for (i in seq_along(sol)) {
    if (length(sol) > 1) {
      ind <- IC$individual[[i]]
      terms <- fit_table(ind$incl.cov)
      tot <- ind$sol.incl.cov
    } else {
      terms <- fit_table(IC$incl.cov)
      tot <- IC$sol.incl.cov
    }
    # covU of a one-term model is not shown by QCA ("-"); it equals covS by definition
    miss <- is.na(terms$cov_unique)
    terms$cov_unique[miss] <- terms$cov[miss]
    out[[i]] <- list(terms = I(sol[[i]]), term_fit = terms,
                     incl = unname(tot[1, "inclS"]), pri = unname(tot[1, "PRI"]),
                     cov = unname(tot[1, "covS"]))
  }
  out
}
tt_records <- function(tt) {
  t <- tt$tt
  list(row = as.integer(rownames(t)), conf = as.matrix(t[, tt$options$conditions]),
       out = as.character(t$OUT), n = t$n, incl = t$incl, pri = t$PRI,
       cases = if (is.null(t$cases)) rep("", nrow(t)) else t$cases)
}
case <- function(name, data, outcome, conditions, incl.cut, n.cut, dir.exp, pri.cut = 0) {
  tt <- truthTable(data, outcome = outcome, conditions = conditions, incl.cut = incl.cut,
                   n.cut = n.cut, pri.cut = pri.cut, complete = TRUE, show.cases = TRUE)
  cs <- minimize(tt, details = TRUE)
  ps <- minimize(tt, include = "?", details = TRUE)
  is <- minimize(tt, include = "?", dir.exp = dir.exp, details = TRUE)
  inter <- list()
  for (nm in names(is$i.sol)) {
    s <- is$i.sol[[nm]]
    inter[[nm]] <- models_of(s$solution, s$IC)
    for (j in seq_along(inter[[nm]])) inter[[nm]][[j]]$easy_counterfactuals <- I(as.integer(rownames(s$EC)))
  }
  list(name = name, data = deparse(substitute(data)), outcome = outcome,
       conditions = conditions, incl_cut = I(incl.cut), n_cut = n.cut, pri_cut = pri.cut,
       dir_exp = dir.exp,
       truth_table = tt_records(tt),
       conservative = models_of(cs$solution, cs$IC),
       parsimonious = models_of(ps$solution, ps$IC),
       intermediate = inter)
}
cases <- list(
  case("LC_SURV", LC, "SURV", conds5, 0.8, 1, "DEV, URB, LIT, IND, STB"),
  case("LC_notSURV", LC, "~SURV", conds5, 0.8, 1, "~DEV, ~URB, ~LIT, ~IND, ~STB"),
  case("LF_SURV", LF, "SURV", conds5, 0.8, 1, "DEV, URB, LIT, IND, STB"),
  case("LF_SURV_partial_exp", LF, "SURV", conds5, 0.8, 1, "DEV, URB, LIT, STB"),
  case("LF_SURV_mixed_exp", LF, "SURV", conds5, 0.8, 1, "DEV, ~URB, LIT, ~IND, STB"),
  case("LF_SURV_075_ncut2", LF, "SURV", conds5, 0.75, 2, "DEV, URB, LIT, IND, STB"),
  case("LF_notSURV_09", LF, "~SURV", conds5, 0.9, 1, "~DEV, ~URB, ~LIT, ~IND, ~STB"),
  case("LF_SURV_4cond", LF, "SURV", c("DEV", "URB", "LIT", "STB"), 0.8, 1, "DEV, URB, LIT, STB"),
  case("LF_SURV_07", LF, "SURV", conds5, 0.7, 1, "DEV, URB, LIT, IND, STB"),
  case("LF_SURV_07_pri07", LF, "SURV", conds5, 0.7, 1, "DEV, URB, LIT, IND, STB", pri.cut = 0.7),
  case("LF_SURV_contradictions", LF, "SURV", conds5, c(0.8, 0.5), 1, "DEV, URB, LIT, IND, STB")
)

# necessity of each condition and its negation (QCA::pof, relation = "necessity")
nec <- list()
for (outc in c("SURV", "~SURV")) {
  for (cnd in c(conds5, paste0("~", conds5))) {
    # pof() reads its arguments unevaluated: build the call with literal strings
    p <- eval(parse(text = sprintf('pof("%s", "%s", data = LF, relation = "necessity")',
                                   cnd, outc)))$incl.cov
    nec[[length(nec) + 1]] <- list(outcome = outc, condition = cnd, incl = p$inclN,
                                   ron = p$RoN, cov = p$covN)
  }
}

# direct calibration of the raw Lipset data (anchors chosen for the test; STB reversed)
anchors <- list(DEV = c(400, 550, 900), URB = c(25, 50, 65), LIT = c(75, 90, 99),
                IND = c(20, 30, 40), STB = c(13, 8, 5))
calib <- list()
for (v in names(anchors)) {
  a <- anchors[[v]]
  for (idm in c(0.95, plogis(3))) {
    calib[[length(calib) + 1]] <- list(
      variable = v, exclusion = a[1], crossover = a[2], inclusion = a[3], idm = idm,
      x = LR[[v]], membership = calibrate(LR[[v]], type = "fuzzy",
                                          thresholds = sprintf("e=%s, c=%s, i=%s", a[1], a[2], a[3]),
                                          idm = idm))
  }
}
crisp <- list(x = LR$DEV, threshold = 550, membership = calibrate(LR$DEV, type = "crisp", thresholds = 550))

write_json(list(qca_version = as.character(packageVersion("QCA")), cases = cases,
                necessity = nec, calibration = calib, crisp = crisp),
           "qca_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
