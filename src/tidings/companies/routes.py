from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tidings.companies import service
from tidings.companies.schemas import (
    AttachCompanyRequest,
    CompanyContacts,
    CompanyDeleted,
    CompanyList,
    CompanyOut,
    CompanyScroll,
    CompanySegmentList,
    CompanyWrite,
    ContactCompanies,
)
from tidings.core.deps import Uow
from tidings.core.paging import next_page_url, requested_page


class CompaniesController(Controller):
    path = "/companies"
    tags = ["Companies"]

    @get("/", operation_id="retrieveCompany")
    async def retrieve_company(
        self,
        uow: Uow,
        name: FromQuery[str | None] = None,
        company_id: FromQuery[str | None] = None,
        tag_id: FromQuery[str | None] = None,
        segment_id: FromQuery[str | None] = None,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        starting_after: FromQuery[str | None] = None,
    ) -> CompanyList:
        return await service.retrieve(
            uow,
            name=name,
            company_id=company_id,
            tag_id=tag_id,
            segment_id=segment_id,
            page=requested_page(page, starting_after),
            per_page=per_page,
        )

    @post("/", operation_id="createOrUpdateCompany", status_code=200)
    async def create_or_update_company(self, uow: Uow, data: JSONBody[CompanyWrite | None] = None) -> CompanyOut:
        return await service.create_or_update(uow, data)

    @post("/list", operation_id="listAllCompanies", status_code=200)
    async def list_all_companies(
        self,
        uow: Uow,
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
        order: FromQuery[str | None] = None,
        starting_after: FromQuery[str | None] = None,
    ) -> CompanyList:
        return await service.list_all(uow, requested_page(page, starting_after), per_page, order)

    @get("/scroll", operation_id="scrollOverAllCompanies")
    async def scroll_over_all_companies(self, uow: Uow, scroll_param: FromQuery[str | None] = None) -> CompanyScroll:
        return await service.scroll(uow, scroll_param)

    @get("/{company_id:str}", operation_id="RetrieveACompanyById")
    async def retrieve_a_company_by_id(self, company_id: FromPath[str], uow: Uow) -> CompanyOut:
        return await service.get(uow, company_id)

    @put("/{company_id:str}", operation_id="UpdateCompany")
    async def update_company(
        self, company_id: FromPath[str], uow: Uow, data: JSONBody[CompanyWrite | None] = None
    ) -> CompanyOut:
        return await service.update(uow, company_id, data)

    @delete("/{company_id:str}", operation_id="deleteCompany", status_code=200)
    async def delete_company(self, company_id: FromPath[str], uow: Uow) -> CompanyDeleted:
        return await service.delete(uow, company_id)

    @get("/{company_id:str}/contacts", operation_id="ListAttachedContacts")
    async def list_attached_contacts(self, company_id: FromPath[str], uow: Uow) -> CompanyContacts:
        return await service.contacts_of(uow, company_id)

    @get("/{company_id:str}/segments", operation_id="ListAttachedSegmentsForCompanies")
    async def list_attached_segments_for_companies(self, company_id: FromPath[str], uow: Uow) -> CompanySegmentList:
        return await service.segments_of(uow, company_id)


class ContactCompaniesController(Controller):
    path = "/contacts/{contact_id:str}/companies"
    tags = ["Companies"]

    @get("/", operation_id="listCompaniesForAContact")
    async def list_companies_for_a_contact(
        self,
        contact_id: FromPath[str],
        uow: Uow,
        request: Request[Any, Any, Any],
        page: FromQuery[int | None] = None,
        per_page: FromQuery[int | None] = None,
    ) -> ContactCompanies:
        return await service.companies_of_contact(uow, contact_id, page, per_page, next_page_url(request))

    @post("/", operation_id="attachContactToACompany", status_code=200)
    async def attach_contact_to_a_company(
        self, contact_id: FromPath[str], uow: Uow, data: JSONBody[AttachCompanyRequest | None] = None
    ) -> CompanyOut:
        return await service.attach_contact(uow, contact_id, data)

    @delete("/{company_id:str}", operation_id="detachContactFromACompany", status_code=200)
    async def detach_contact_from_a_company(
        self, contact_id: FromPath[str], company_id: FromPath[str], uow: Uow
    ) -> CompanyOut:
        return await service.detach_contact(uow, contact_id, company_id)
