"""The read API for other systems (the city's data platform, the ministry's reporting system):
plans, plan items, agencies, cycles, reports, indicators and official reports as JSON, under
/api/v1/, with an OpenAPI schema at /api/schema/.

It sits at the top of the layering: it reads `reporting`, `tasks` and `agencies` through their own
access functions, and nothing imports it (the URL configuration and the admin mount it).
"""
