import Study
