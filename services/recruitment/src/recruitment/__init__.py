"""Recruitment and retention: staffing plans, incentives, vacancies, hires."""
